using System.Text;
using System.Text.Json;

namespace LocalFineTune.Server.Problems;

/// <summary>
/// JsonDocument accepts "\ud800" (a lone surrogate escape) and raw invalid UTF-8 inside strings; they only fail when a
/// handler reads that string or property name, as an InvalidOperationException far from the request. One walk right
/// after parsing reads every name and string once, so such a body is a 400 naming the JSON path instead.
/// </summary>
public static class JsonText
{
    public static void RequireReadableStrings(JsonElement root) => Walk(root, "");

    private static void Walk(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    var name = Read(() => property.Name, path, $"the name of property #{index + 1} of {Where(path)}");
                    Walk(property.Value, path.Length == 0 ? name : $"{path}.{name}");
                    index++;
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.String:
                Read(element.GetString, path, $"the string at '{path}'");
                break;
        }
    }

    private static string Where(string path) => path.Length == 0 ? "the body" : $"'{path}'";

    private static string Read(Func<string?> read, string path, string what)
    {
        try
        {
            return read() ?? "";
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or DecoderFallbackException)
        {
            throw new ApiProblemException(path.Length == 0 ? "body" : ClientText.Echo(path), "invalid_string",
                $"{ClientText.Echo(what)} is not valid text: it holds a lone UTF-16 surrogate escape (such as \\ud800 without its pair) " +
                "or bytes that are not UTF-8. Send UTF-8 JSON; write characters beyond U+FFFF as a surrogate pair (\\ud83d\\ude00) or as the character itself.");
        }
    }
}
