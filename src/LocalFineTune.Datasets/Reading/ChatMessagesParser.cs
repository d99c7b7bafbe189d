using System.Text.Json;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>Parses OpenAI's "messages" array. Every message is checked, so one line can report several problems.</summary>
internal static class ChatMessagesParser
{
    // "name" is valid OpenAI input; it does not change what we train on, so it is accepted silently.
    private static readonly string[] KnownMessageKeys = ["role", "content", "weight", "name"];

    public static IReadOnlyList<ChatMessage>? Parse(JsonElement messages, SourceLocation location, IssueCollector issues)
    {
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            var found = messages.ValueKind == JsonValueKind.Array ? "an empty array" : JsonKinds.Describe(messages.ValueKind);
            issues.Add(DataIssue.Error(IssueCodes.MissingMessagesList,
                $"\"messages\" must be a non-empty array of {{\"role\", \"content\"}} objects, found {found}", location));
            return null;
        }
        var parsed = new List<ChatMessage>();
        var allValid = true;
        var number = 0;
        foreach (var message in messages.EnumerateArray())
        {
            number++;
            var result = ParseMessage(message, number, location, issues);
            if (result is null) allValid = false;
            else parsed.Add(result);
        }
        return allValid ? parsed : null;
    }

    private static ChatMessage? ParseMessage(JsonElement message, int number, SourceLocation location, IssueCollector issues)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            issues.Add(DataIssue.Error(IssueCodes.MessageNotAnObject,
                $"message {number} is {JsonKinds.Describe(message.ValueKind)}, not an object; write {{\"role\": \"user\", \"content\": \"...\"}}", location));
            return null;
        }
        WarnAboutUnknownKeys(message, number, location, issues);
        var role = ParseRole(message, number, location, issues);
        var content = ParseContent(message, number, location, issues);
        var (weightValid, weight) = ParseWeight(message, number, location, issues);
        return role is null || content is null || !weightValid ? null : new ChatMessage(role.Value, content, weight);
    }

    private static ChatRole? ParseRole(JsonElement message, int number, SourceLocation location, IssueCollector issues)
    {
        if (!message.TryGetProperty("role", out var roleValue))
        {
            issues.Add(DataIssue.Error(IssueCodes.MessageMissingKey,
                $"message {number} has no \"role\"; add \"role\": \"system\", \"user\" or \"assistant\"", location));
            return null;
        }
        var name = JsonKinds.ReadString(roleValue, $"message {number} \"role\"", location, issues);
        if (name is null) return null;
        if (ChatRoleNames.TryParse(name, out var role)) return role;
        issues.Add(DataIssue.Error(IssueCodes.UnrecognizedRole,
            $"message {number} has unknown role \"{name}\"; use \"system\", \"user\" or \"assistant\"", location));
        return null;
    }

    private static string? ParseContent(JsonElement message, int number, SourceLocation location, IssueCollector issues)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            issues.Add(DataIssue.Error(IssueCodes.MessageMissingKey,
                $"message {number} has no \"content\"; add \"content\": \"...\"", location));
            return null;
        }
        if (content.ValueKind == JsonValueKind.Null)
        {
            issues.Add(DataIssue.Error(IssueCodes.MissingContent,
                $"message {number} has null \"content\"; write the message text (tool calls are not supported)", location));
            return null;
        }
        return JsonKinds.ReadString(content, $"message {number} \"content\"", location, issues);
    }

    /// <summary>Any integer is accepted here; the validator checks it is 0 or 1 (also for examples built in code).</summary>
    private static (bool Valid, int? Weight) ParseWeight(JsonElement message, int number, SourceLocation location, IssueCollector issues)
    {
        if (!message.TryGetProperty("weight", out var weight)) return (true, null);
        if (weight.ValueKind == JsonValueKind.Number && weight.TryGetInt32(out var value)) return (true, value);
        issues.Add(DataIssue.Error(IssueCodes.InvalidWeight,
            $"message {number} has weight {weight.GetRawText()}; weight must be the number 0 or 1", location));
        return (false, null);
    }

    private static void WarnAboutUnknownKeys(JsonElement message, int number, SourceLocation location, IssueCollector issues)
    {
        var unknown = message.EnumerateObject().Select(p => p.Name).Where(n => !KnownMessageKeys.Contains(n)).ToList();
        if (unknown.Count == 0) return;
        issues.Add(DataIssue.Warning(IssueCodes.MessageUnrecognizedKey,
            $"message {number} has ignored key(s) {string.Join(", ", unknown.Select(k => $"\"{k}\""))}; messages use \"role\", \"content\" and optionally \"weight\"",
            location));
    }
}
