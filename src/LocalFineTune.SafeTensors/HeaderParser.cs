using System.Text.Json;

namespace LocalFineTune.SafeTensors;

/// <summary>A header entry as declared, before its byte range is checked against the others.</summary>
internal sealed record DeclaredEntry(string Name, SafeTensorDType DType, long[] Shape, long Begin, long End);

/// <summary>The header JSON, parsed but not yet checked for layout.</summary>
internal sealed record ParsedHeader(IReadOnlyList<DeclaredEntry> Entries, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Parses the JSON header with <see cref="Utf8JsonReader"/> rather than a DOM or serializer,
/// because those silently keep the last of two equal keys; a duplicated tensor name would then
/// load one tensor and leave the other's bytes as an unexplained hole.
/// </summary>
internal static class HeaderParser
{
    public const string MetadataKey = "__metadata__";
    private const string FixHint = "Re-export the file with a safetensors writer (e.g. save_pretrained(..., safe_serialization=True)).";

    public static ParsedHeader Parse(ReadOnlySpan<byte> json, string path)
    {
        try
        {
            return ParseObject(json, path);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // InvalidOperationException: GetString on invalid UTF-8; ArgumentException: invalid UTF-8 in names.
            throw new SafeTensorsFormatException(path,
                $"the header is not valid UTF-8 JSON ({e.Message}). The file is corrupt or not a safetensors file. {FixHint}", e);
        }
    }

    private static ParsedHeader ParseObject(ReadOnlySpan<byte> json, string path)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
            throw new SafeTensorsFormatException(path, $"the header is empty; it must be a JSON object. {FixHint}");
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsFormatException(path,
                $"the header is {Describe(reader.TokenType)} but must be an object of tensor name -> {{dtype, shape, data_offsets}}. {FixHint}");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<DeclaredEntry>();
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (!seen.Add(name))
                throw new SafeTensorsFormatException(path,
                    $"tensor '{name}' appears twice in the header. JSON readers would silently keep only the last one, so the file is ambiguous. {FixHint}");
            reader.Read();
            if (name == MetadataKey) metadata = ReadMetadata(ref reader, path);
            else entries.Add(ReadEntry(ref reader, name, path));
        }
        // Drain: the reader throws if anything but whitespace (the spec's padding) follows the object.
        while (reader.Read()) { }
        return new ParsedHeader(entries, metadata);
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null) return metadata;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsFormatException(path,
                $"'{MetadataKey}' is {Describe(reader.TokenType)} but must be an object of string -> string. {FixHint}");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new SafeTensorsFormatException(path,
                    $"metadata value of '{key}' is {Describe(reader.TokenType)}; the format allows only strings. Store it as a string (e.g. JSON-encode it) and re-save.");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw new SafeTensorsFormatException(path, $"metadata key '{key}' appears twice. {FixHint}");
        }
        return metadata;
    }

    private static DeclaredEntry ReadEntry(ref Utf8JsonReader reader, string name, string path)
    {
        string where = $"tensor '{name}'";
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsFormatException(path,
                $"{where}: the entry is {Describe(reader.TokenType)} but must be an object with dtype, shape and data_offsets. {FixHint}");
        string? dtypeName = null;
        long[]? shape = null, offsets = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            reader.Read();
            switch (field)
            {
                case "dtype": dtypeName = ReadOnce(dtypeName, ReadString(ref reader, path, where, field), path, where, field); break;
                case "shape": shape = ReadOnce(shape, ReadNonNegativeInts(ref reader, path, where, field), path, where, field); break;
                case "data_offsets": offsets = ReadOnce(offsets, ReadNonNegativeInts(ref reader, path, where, field), path, where, field); break;
                default: reader.Skip(); break; // Unknown fields are ignored, as the reference implementation does.
            }
        }
        var dtype = ParseDType(dtypeName, path, where);
        if (shape is null) throw Missing(path, where, "shape");
        if (offsets is null) throw Missing(path, where, "data_offsets");
        if (offsets.Length != 2)
            throw new SafeTensorsFormatException(path, $"{where}: data_offsets has {offsets.Length} numbers but must be [begin, end]. {FixHint}");
        return new DeclaredEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static SafeTensorDType ParseDType(string? dtypeName, string path, string where)
    {
        if (dtypeName is null) throw Missing(path, where, "dtype");
        if (SafeTensorDTypes.TryParse(dtypeName, out var dtype)) return dtype;
        throw new SafeTensorsFormatException(path,
            $"{where}: unknown dtype '{dtypeName}'. Supported: {SafeTensorDTypes.KnownNames}. " +
            "Convert the tensor to a supported type (e.g. torch.float16 or torch.float32) and re-save.");
    }

    private static T ReadOnce<T>(T? previous, T value, string path, string where, string field) where T : class =>
        previous is null ? value : throw new SafeTensorsFormatException(path, $"{where}: field '{field}' appears twice. {FixHint}");

    private static string ReadString(ref Utf8JsonReader reader, string path, string where, string field) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new SafeTensorsFormatException(path, $"{where}: '{field}' is {Describe(reader.TokenType)} but must be a string like \"F32\". {FixHint}");

    private static long[] ReadNonNegativeInts(ref Utf8JsonReader reader, string path, string where, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new SafeTensorsFormatException(path, $"{where}: '{field}' is {Describe(reader.TokenType)} but must be an array of integers. {FixHint}");
        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
                throw new SafeTensorsFormatException(path,
                    $"{where}: '{field}' holds {DescribeToken(ref reader)}; only integers from 0 to {long.MaxValue} are allowed. {FixHint}");
            if (value < 0)
                throw new SafeTensorsFormatException(path,
                    $"{where}: '{field}' holds the negative number {value}; {(field == "shape" ? "dimensions" : "offsets")} must be >= 0. {FixHint}");
            values.Add(value);
        }
        return values.ToArray();
    }

    private static string DescribeToken(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number
            ? $"the number {System.Text.Encoding.UTF8.GetString(reader.ValueSpan)}"
            : $"{Describe(reader.TokenType)}";

    /// <summary>Token kinds in JSON's own words ("an array"), not the reader's ("StartArray").</summary>
    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static SafeTensorsFormatException Missing(string path, string where, string field) =>
        new(path, $"{where}: the entry has no '{field}'. Each entry needs dtype, shape and data_offsets. {FixHint}");
}
