using System.Text.Json.Nodes;

namespace LocalFineTune.Models.Families;

/// <summary>
/// Typed reads of config.json for one family, with transformers' defaults. It remembers every value it resolved,
/// so a saved config.json states each field we read even when the original left it to a default.
/// </summary>
public sealed class ConfigReader(JsonObject root, string family)
{
    private readonly Dictionary<string, JsonNode?> _resolved = [];

    public JsonObject Root => root;
    public string Family => family;
    public IReadOnlyDictionary<string, JsonNode?> Resolved => _resolved;

    public bool Has(string key) => root[key] is not null;

    public int Int(string key, int fallback) => IntOrNull(key) ?? Remember(key, fallback);

    public int? IntOrNull(string key) => root[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => Remember(key, i),
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => Remember(key, (int)d),
        var other => throw Invalid(key, "an integer", other),
    };

    public double Double(string key, double fallback) => root[key] switch
    {
        null => Remember(key, fallback),
        JsonValue v when v.TryGetValue<double>(out var d) => Remember(key, d),
        var other => throw Invalid(key, "a number", other),
    };

    public bool Bool(string key, bool fallback) => root[key] switch
    {
        null => Remember(key, fallback),
        JsonValue v when v.TryGetValue<bool>(out var b) => Remember(key, b),
        var other => throw Invalid(key, "true or false", other),
    };

    public string String(string key, string fallback) => root[key] switch
    {
        null => Remember(key, fallback),
        JsonValue v when v.TryGetValue<string>(out var s) => Remember(key, s),
        var other => throw Invalid(key, "a string", other),
    };

    /// <summary>A positive integer that shapes the model.</summary>
    public int Positive(string key, int fallback)
    {
        var value = Int(key, fallback);
        return value > 0 ? value
            : throw new InvalidDataException($"{family} config.json: \"{key}\" is {value}; it must be a positive integer.");
    }

    /// <summary>A key whose only value we implement; any other value is refused, naming the key.</summary>
    public void RequireAbsentOr(string key, Func<JsonNode, bool> isSupported, string what)
    {
        if (root[key] is { } value && !isSupported(value))
            throw new NotSupportedException($"{family} config.json: \"{key}\": {value.ToJsonString()} is not supported ({what}). " +
                "Remove the key or use a model without this feature.");
    }

    public InvalidDataException Invalid(string key, string expected, JsonNode? actual) =>
        new($"{family} config.json: \"{key}\" must be {expected}, not {actual?.ToJsonString() ?? "null"}.");

    private T Remember<T>(string key, T value)
    {
        _resolved[key] = JsonValue.Create(value);
        return value;
    }
}
