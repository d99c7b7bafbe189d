using System.Text.Json;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>
/// Turns one JSONL line into an example: {"text"}, {"prompt","completion"} or {"messages":[...]}.
/// Reports every structural problem of the line (not just the first) and returns null when the
/// example cannot be built. Content problems (empty text, no assistant...) are left to the validator.
/// </summary>
internal static class JsonExampleParser
{
    private static readonly string[] TextKeys = ["text"];
    private static readonly string[] PromptCompletionKeys = ["prompt", "completion"];

    // OpenAI accepts these beside "messages"; we don't train on tools, so they are ignored with a warning.
    private static readonly string[] ChatKeys = ["messages"];

    public static TrainingExample? Parse(string line, SourceLocation location, IssueCollector issues)
    {
        using var document = TryParseJson(line, location, issues);
        if (document is null) return null;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            issues.Add(DataIssue.Error(IssueCodes.NotAJsonObject,
                $"not a JSON object (found {JsonKinds.Describe(root.ValueKind)}); each line must be one {{...}} example", location));
            return null;
        }
        return ParseObject(root, location, issues);
    }

    private static JsonDocument? TryParseJson(string line, SourceLocation location, IssueCollector issues)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            issues.Add(DataIssue.Error(IssueCodes.InvalidJson,
                $"invalid JSON ({JsonKinds.ReasonOf(e)}); each line must be one complete JSON object", location));
            return null;
        }
    }

    private static TrainingExample? ParseObject(JsonElement root, SourceLocation location, IssueCollector issues)
    {
        if (root.TryGetProperty("messages", out var messages))
        {
            WarnAboutIgnoredKeys(root, ChatKeys, location, issues);
            var parsed = ChatMessagesParser.Parse(messages, location, issues);
            return parsed is null ? null : TrainingExample.FromMessages(parsed, location);
        }
        if (root.TryGetProperty("prompt", out _) || root.TryGetProperty("completion", out _))
        {
            WarnAboutIgnoredKeys(root, PromptCompletionKeys, location, issues);
            return ParsePromptCompletion(root, location, issues);
        }
        if (root.TryGetProperty("text", out var text))
        {
            WarnAboutIgnoredKeys(root, TextKeys, location, issues);
            var value = JsonKinds.ReadString(text, "\"text\"", location, issues);
            return value is null ? null : TrainingExample.FromText(value, location);
        }
        issues.Add(DataIssue.Error(IssueCodes.UnrecognizedExampleFormat,
            $"no \"text\", \"prompt\"/\"completion\" or \"messages\" key (found: {JsonKinds.KeyList(root)}); " +
            "write {\"text\": ...}, {\"prompt\": ..., \"completion\": ...} or {\"messages\": [...]}", location));
        return null;
    }

    private static TrainingExample? ParsePromptCompletion(JsonElement root, SourceLocation location, IssueCollector issues)
    {
        var prompt = ReadRequired(root, "prompt", IssueCodes.MissingPrompt, "completion", location, issues);
        var completion = ReadRequired(root, "completion", IssueCodes.MissingCompletion, "prompt", location, issues);
        return prompt is null || completion is null
            ? null
            : TrainingExample.FromPromptCompletion(prompt, completion, location);
    }

    private static string? ReadRequired(JsonElement root, string key, string missingCode, string otherKey,
        SourceLocation location, IssueCollector issues)
    {
        if (root.TryGetProperty(key, out var value))
            return JsonKinds.ReadString(value, $"\"{key}\"", location, issues);
        issues.Add(DataIssue.Error(missingCode,
            $"\"{otherKey}\" without \"{key}\"; every example needs both \"prompt\" and \"completion\"", location));
        return null;
    }

    private static void WarnAboutIgnoredKeys(JsonElement root, string[] knownKeys, SourceLocation location, IssueCollector issues)
    {
        var ignored = root.EnumerateObject().Select(p => p.Name).Where(name => !knownKeys.Contains(name)).ToList();
        if (ignored.Count == 0) return;
        issues.Add(DataIssue.Warning(IssueCodes.UnrecognizedKey,
            $"ignored key(s) {string.Join(", ", ignored.Select(k => $"\"{k}\""))}; only {string.Join(", ", knownKeys.Select(k => $"\"{k}\""))} are used in this kind of example",
            location));
    }
}
