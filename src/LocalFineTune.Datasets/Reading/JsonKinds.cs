using System.Text.Json;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>Small helpers to describe JSON values and parser failures in user terms.</summary>
internal static class JsonKinds
{
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>System.Text.Json's message without its "LineNumber: 0 | BytePositionInLine: n." tail
    /// (always line 0 here), with the column added back in a readable form.</summary>
    public static string ReasonOf(JsonException e)
    {
        var message = e.Message;
        var tail = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (tail >= 0) message = message[..tail];
        message = message.TrimEnd().TrimEnd('.');
        return e.BytePositionInLine is long position ? $"{message}, at byte {position + 1}" : message;
    }

    public static string KeyList(JsonElement obj)
    {
        var names = obj.EnumerateObject().Select(p => $"\"{p.Name}\"").ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    /// <summary>The string value, or null after reporting an invalid_type issue naming <paramref name="what"/>.</summary>
    public static string? ReadString(JsonElement value, string what, SourceLocation location, IssueCollector issues)
    {
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        issues.Add(DataIssue.Error(IssueCodes.InvalidType,
            $"{what} must be a string, found {Describe(value.ValueKind)}; put the text in double quotes", location));
        return null;
    }
}
