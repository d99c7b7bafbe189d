using System.Text.Json;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Preferences;

/// <summary>
/// One JSONL line as a preference pair, in OpenAI's format
/// (<c>{"input": {"messages": [...]}, "preferred_output": [assistant], "non_preferred_output": [assistant]}</c>) or
/// TRL's (<c>{"prompt", "chosen", "rejected"}</c>, each a string, or message lists for the conversational variant).
/// Reports every structural problem of the line and returns null when no pair can be built; content problems
/// (empty or identical answers, length) are the validator's.
/// </summary>
internal static class PreferenceJsonParser
{
    private static readonly string[] OpenAiKeys = ["input", "preferred_output", "non_preferred_output"];
    private static readonly string[] TrlKeys = ["prompt", "chosen", "rejected"];

    public static PreferenceExample? Parse(string line, SourceLocation location, IssueCollector issues)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            issues.Add(DataIssue.Error(IssueCodes.InvalidJson, $"invalid JSON ({JsonKinds.ReasonOf(e)}); each line must be one complete JSON object", location));
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                issues.Add(DataIssue.Error(IssueCodes.NotAJsonObject,
                    $"not a JSON object (found {JsonKinds.Describe(root.ValueKind)}); each line must be one {{...}} preference pair", location));
                return null;
            }
            if (OpenAiKeys.Any(k => root.TryGetProperty(k, out _))) return ParseOpenAi(root, location, issues);
            if (TrlKeys.Any(k => root.TryGetProperty(k, out _))) return ParseTrl(root, location, issues);
            issues.Add(DataIssue.Error(IssueCodes.UnrecognizedExampleFormat,
                $"not a preference pair (found keys: {JsonKinds.KeyList(root)}); write {{\"input\": {{\"messages\": [...]}}, \"preferred_output\": [...], " +
                "\"non_preferred_output\": [...]} or {\"prompt\": ..., \"chosen\": ..., \"rejected\": ...}", location));
            return null;
        }
    }

    private static PreferenceExample? ParseOpenAi(JsonElement root, SourceLocation location, IssueCollector issues)
    {
        WarnAboutIgnoredKeys(root, OpenAiKeys, location, issues);
        IReadOnlyList<ChatMessage>? prompt = null;
        if (!root.TryGetProperty("input", out var input))
            issues.Add(DataIssue.Error(IssueCodes.MissingInput, "no \"input\"; write \"input\": {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}", location));
        else if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("messages", out var messages))
            issues.Add(DataIssue.Error(IssueCodes.MissingMessagesList,
                $"\"input\" must be an object with a \"messages\" array, found {Describe(input)}", location));
        else
            prompt = ChatMessagesParser.Parse(messages, location, issues);
        var chosen = Answer(root, "preferred_output", IssueCodes.MissingChosen, location, issues);
        var rejected = Answer(root, "non_preferred_output", IssueCodes.MissingRejected, location, issues);
        return prompt is null || chosen is null || rejected is null ? null : PreferenceExample.FromMessages(prompt, chosen, rejected, location);
    }

    private static PreferenceExample? ParseTrl(JsonElement root, SourceLocation location, IssueCollector issues)
    {
        WarnAboutIgnoredKeys(root, TrlKeys, location, issues);
        string? promptText = null;
        IReadOnlyList<ChatMessage>? promptMessages = null;
        var promptValid = false;
        if (!root.TryGetProperty("prompt", out var prompt))
            issues.Add(DataIssue.Error(IssueCodes.MissingPrompt,
                "no \"prompt\"; every pair needs \"prompt\", \"chosen\" and \"rejected\" (a pair whose prompt is folded into chosen/rejected must be split first)", location));
        else if (prompt.ValueKind == JsonValueKind.Array)
            promptValid = (promptMessages = ChatMessagesParser.Parse(prompt, location, issues)) is not null;
        else
            promptValid = (promptText = JsonKinds.ReadString(prompt, "\"prompt\"", location, issues)) is not null;
        var chosen = Answer(root, "chosen", IssueCodes.MissingChosen, location, issues);
        var rejected = Answer(root, "rejected", IssueCodes.MissingRejected, location, issues);
        if (!promptValid || chosen is null || rejected is null) return null;
        return promptMessages is not null
            ? PreferenceExample.FromMessages(promptMessages, chosen, rejected, location)
            : PreferenceExample.FromText(promptText!, chosen, rejected, location);
    }

    /// <summary>An answer: a string, one assistant message, or a list holding exactly one assistant message.</summary>
    private static string? Answer(JsonElement root, string key, string missingCode, SourceLocation location, IssueCollector issues)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            issues.Add(DataIssue.Error(missingCode, $"no \"{key}\"; give the answer as [{{\"role\": \"assistant\", \"content\": \"...\"}}]", location));
            return null;
        }
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind == JsonValueKind.Object) return AssistantContent(value, key, location, issues);
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 1)
        {
            var found = value.ValueKind == JsonValueKind.Array ? $"{value.GetArrayLength()} messages" : Describe(value);
            issues.Add(DataIssue.Error(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0 ? EmptyCode(key) : IssueCodes.InvalidOutput,
                $"\"{key}\" must hold exactly one assistant message, found {found}; write [{{\"role\": \"assistant\", \"content\": \"...\"}}]", location));
            return null;
        }
        return AssistantContent(value[0], key, location, issues);
    }

    private static string? AssistantContent(JsonElement message, string key, SourceLocation location, IssueCollector issues)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            issues.Add(DataIssue.Error(IssueCodes.InvalidOutput,
                $"\"{key}\" holds {Describe(message)}, not a message; write {{\"role\": \"assistant\", \"content\": \"...\"}}", location));
            return null;
        }
        var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var roleValid = role == "assistant";
        if (!roleValid)
            issues.Add(DataIssue.Error(IssueCodes.InvalidOutputRole,
                $"\"{key}\" has a message with role {(role is null ? "missing" : $"\"{role}\"")}; an answer must be the assistant's (\"role\": \"assistant\")", location));
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            issues.Add(DataIssue.Error(IssueCodes.MissingContent, $"\"{key}\" message has no \"content\"; write the answer's text", location));
            return null;
        }
        var text = JsonKinds.ReadString(content, $"\"{key}\" content", location, issues);
        return roleValid ? text : null;
    }

    private static string EmptyCode(string key) => key is "chosen" or "preferred_output" ? IssueCodes.EmptyChosen : IssueCodes.EmptyRejected;

    private static string Describe(JsonElement value) => JsonKinds.Describe(value.ValueKind);

    private static void WarnAboutIgnoredKeys(JsonElement root, string[] known, SourceLocation location, IssueCollector issues)
    {
        var ignored = root.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        if (ignored.Count == 0) return;
        issues.Add(DataIssue.Warning(IssueCodes.UnrecognizedKey,
            $"ignored key(s) {string.Join(", ", ignored.Select(k => $"\"{k}\""))}; a pair uses {string.Join(", ", known.Select(k => $"\"{k}\""))}", location));
    }
}
