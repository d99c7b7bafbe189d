using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

/// <summary>Content rules for one parsed example, whatever file format it came from (or built in code).</summary>
internal static class ExampleContentChecks
{
    public static void Check(TrainingExample example, IssueCollector issues)
    {
        switch (example.Kind)
        {
            case ExampleKind.Text: CheckText(example, issues); break;
            case ExampleKind.PromptCompletion: CheckPromptCompletion(example, issues); break;
            case ExampleKind.Chat: CheckChat(example, issues); break;
        }
    }

    private static void CheckText(TrainingExample example, IssueCollector issues)
    {
        if (string.IsNullOrWhiteSpace(example.Text))
            issues.Add(DataIssue.Error(IssueCodes.EmptyText, "empty text; write the example or remove the row", example.Source));
    }

    private static void CheckPromptCompletion(TrainingExample example, IssueCollector issues)
    {
        if (string.IsNullOrWhiteSpace(example.Completion))
            issues.Add(DataIssue.Error(IssueCodes.EmptyCompletion,
                "empty completion; the completion is what the model learns to answer, so it cannot be empty", example.Source));
        if (string.IsNullOrWhiteSpace(example.Prompt))
            issues.Add(DataIssue.Warning(IssueCodes.EmptyPrompt,
                "empty prompt; the model will learn the completion without any question (use a \"text\" example if that is intended)", example.Source));
    }

    private static void CheckChat(TrainingExample example, IssueCollector issues)
    {
        var messages = example.Messages ?? [];
        var number = example.Source.ExampleNumber?.ToString() ?? "?";
        for (var i = 0; i < messages.Count; i++) CheckMessage(messages[i], i + 1, example.Source, issues);

        var assistants = messages.Where(m => m.Role == ChatRole.Assistant).ToList();
        if (assistants.Count == 0)
            issues.Add(DataIssue.Error(IssueCodes.MissingAssistantMessage,
                $"example {number} has no assistant message; add {{\"role\": \"assistant\", \"content\": \"...\"}} with the expected answer", example.Source));
        else if (assistants.All(m => m.Weight == 0))
            issues.Add(DataIssue.Error(IssueCodes.AllWeightsZero,
                $"example {number} has weight 0 on every assistant message, so there is nothing to learn; set weight 1 on at least one", example.Source));
    }

    private static void CheckMessage(ChatMessage message, int number, SourceLocation source, IssueCollector issues)
    {
        if (string.IsNullOrWhiteSpace(message.Content))
            issues.Add(DataIssue.Error(IssueCodes.MissingContent,
                $"message {number} ({message.Role.ToWireName()}) has empty content; write the message or remove it", source));
        if (message.Weight is null) return;
        if (message.Role != ChatRole.Assistant)
            issues.Add(DataIssue.Error(IssueCodes.InvalidWeight,
                $"message {number} ({message.Role.ToWireName()}) has a weight; only assistant messages can have one", source));
        else if (message.Weight is not (0 or 1))
            issues.Add(DataIssue.Error(IssueCodes.InvalidWeight,
                $"message {number} has weight {message.Weight}; weight must be 0 (skip) or 1 (train)", source));
    }
}
