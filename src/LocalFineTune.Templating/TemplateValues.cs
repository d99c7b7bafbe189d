using System.Collections;
using System.Text.Json;

namespace LocalFineTune.Templating;

/// <summary>Converts .NET and JSON values into the values templates see (long, double, string, list, dict, None).</summary>
public static class TemplateValues
{
    public static object? From(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int or short or byte or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal m => (double)m,
        JsonElement json => FromJson(json),
        IDictionary dictionary => FromDictionary(dictionary),
        IEnumerable items => items.Cast<object?>().Select(From).ToList(),
        _ => value,
    };

    private static Dictionary<string, object?> FromDictionary(IDictionary dictionary)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary) result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!] = From(entry.Value);
        return result;
    }

    public static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number => json.TryGetInt64(out var l) ? (object)l : json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => json.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal),
            (d, p) => { d[p.Name] = FromJson(p.Value); return d; }),
        _ => null,
    };
}
