using System.Text.Encodings.Web;
using System.Text.Json;

namespace LocalFineTune.SafeTensors;

/// <summary>
/// model.safetensors.index.json: {"metadata": {"total_size": N, ...}, "weight_map": {tensor: shard file}}.
/// </summary>
internal sealed record ShardIndex(IReadOnlyDictionary<string, string> WeightMap, long? TotalSize)
{
    private const string FixHint = "Regenerate the index by re-saving the model (save_pretrained) or fix the file by hand.";

    public static ShardIndex Read(string path)
    {
        JsonDocument document;
        try
        {
            // Duplicate keys would let two shards claim a tensor with only one of them winning silently.
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"the shard index is not valid JSON ({e.Message}). {FixHint}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(path, $"the shard index is a JSON {root.ValueKind} but must be an object with a 'weight_map'. {FixHint}");
            return new ShardIndex(ReadWeightMap(root, path), ReadTotalSize(root));
        }
    }

    private static Dictionary<string, string> ReadWeightMap(JsonElement root, string path)
    {
        if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, $"the shard index has no 'weight_map' object (tensor name -> shard file). {FixHint}");
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException(path, $"weight_map['{property.Name}'] is a JSON {property.Value.ValueKind} but must be a shard file name. {FixHint}");
            string shard = property.Value.GetString()!;
            if (!IsPlainFileName(shard))
                throw new SafeTensorsFormatException(path,
                    $"weight_map['{property.Name}'] names '{shard}', which is not a plain file name in the model folder; " +
                    "shards must sit next to the index (paths are refused so an index cannot point outside the folder).");
            weightMap.Add(property.Name, shard);
        }
        if (weightMap.Count == 0)
            throw new SafeTensorsFormatException(path, $"the shard index's weight_map is empty. {FixHint}");
        return weightMap;
    }

    private static long? ReadTotalSize(JsonElement root) =>
        root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("total_size", out var size) && size.ValueKind == JsonValueKind.Number
        && size.TryGetInt64(out long total)
            ? total
            : null;

    private static bool IsPlainFileName(string name) =>
        name.Length > 0 && name != "." && name != ".." && name.IndexOfAny(['/', '\\', '\0']) < 0;

    /// <summary>Writes the index as transformers does: metadata.total_size and a name-sorted weight_map, indented by 2.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> weightMap, long totalSize)
    {
        AtomicFile.Write(path, stream =>
        {
            var options = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            using (var json = new Utf8JsonWriter(stream, options))
            {
                json.WriteStartObject();
                json.WriteStartObject("metadata");
                json.WriteNumber("total_size", totalSize);
                json.WriteEndObject();
                json.WriteStartObject("weight_map");
                foreach (var name in weightMap.Keys.OrderBy(n => n, Utf8Ordinal.Instance))
                    json.WriteString(name, weightMap[name]);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        });
    }
}
