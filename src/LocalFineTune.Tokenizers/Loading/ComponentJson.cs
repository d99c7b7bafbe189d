using System.Text.Json;

namespace LocalFineTune.Tokenizers.Loading;

/// <summary>Small helpers to read tokenizer.json components with errors that say which field is wrong.</summary>
internal static class ComponentJson
{
    public static string TypeOf(JsonElement component, string kind)
    {
        if (component.ValueKind != JsonValueKind.Object || !component.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw new FormatException($"tokenizer.json: the {kind} has no \"type\" field. Check the file is a Hugging Face tokenizer.json.");
        return type.GetString()!;
    }

    public static bool IsNull(JsonElement element) =>
        element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    public static JsonElement? Property(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && !IsNull(value) ? value : null;

    public static string? String(JsonElement obj, string name) =>
        Property(obj, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool Bool(JsonElement obj, string name, bool fallback) =>
        Property(obj, name) is { } value && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : fallback;

    public static int Int(JsonElement obj, string name, int fallback) =>
        Property(obj, name) is { ValueKind: JsonValueKind.Number } value ? value.GetInt32() : fallback;

    public static IEnumerable<JsonElement> Array(JsonElement obj, string name, string kind) =>
        Property(obj, name) is { ValueKind: JsonValueKind.Array } value
            ? value.EnumerateArray()
            : throw new FormatException($"tokenizer.json: the {kind} needs an array \"{name}\".");

    /// <summary>HF writes patterns as {"String": "..."} or {"Regex": "..."}.</summary>
    public static (string Text, bool IsRegex) Pattern(JsonElement obj, string kind)
    {
        var pattern = Property(obj, "pattern") ?? throw new FormatException($"tokenizer.json: the {kind} has no \"pattern\".");
        if (String(pattern, "Regex") is { } regex) return (regex, true);
        if (String(pattern, "String") is { } literal) return (literal, false);
        throw new FormatException($"tokenizer.json: the {kind} pattern must be {{\"String\": ...}} or {{\"Regex\": ...}}.");
    }

    public static NotSupportedException Unsupported(string kind, string type, string supported) =>
        new($"Unsupported tokenizer {kind} type '{type}'. Supported {kind} types: {supported}. " +
            "Convert the tokenizer to one of these, or add support in LocalFineTune.Tokenizers.");
}
