using System.Globalization;
using System.Text;

namespace LocalFineTune.Datasets.Validation;

/// <summary>The human-readable report printed by `lft validate` and by training when it refuses data.</summary>
internal static class ValidationReportText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(ValidationReport r)
    {
        var text = new StringBuilder();
        AppendCounts(text, r);
        AppendTokens(text, r);
        AppendIssues(text, "Errors", r.Errors, r.ErrorCount, r.ErrorsNotShown);
        AppendIssues(text, "Warnings", r.Warnings, r.WarningCount, r.WarningsNotShown);
        text.AppendLine(r.IsValid
            ? "Result: valid" + (r.WarningCount > 0 ? " (see warnings)" : "")
            : $"Result: INVALID, {Plural(r.ErrorCount, "error")}. Fix them and validate again; training refuses this data.");
        return text.ToString();
    }

    private static void AppendCounts(StringBuilder text, ValidationReport r)
    {
        foreach (var file in r.Files) text.AppendLine($"File: {file}");
        var kinds = new List<string>();
        if (r.TextExampleCount > 0) kinds.Add($"{r.TextExampleCount} text");
        if (r.PromptCompletionExampleCount > 0) kinds.Add($"{r.PromptCompletionExampleCount} prompt/completion");
        if (r.ChatExampleCount > 0) kinds.Add($"{r.ChatExampleCount} chat");
        var kindText = kinds.Count > 0 ? $" ({string.Join(", ", kinds)})" : "";
        text.AppendLine($"Training examples: {r.ExampleCount}{kindText}");
        text.AppendLine($"Validation examples: {r.ValidationExampleCount}");
    }

    private static void AppendTokens(StringBuilder text, ValidationReport r)
    {
        if (r.TokensPerExample is not { } t)
        {
            text.AppendLine("Tokens: not counted (give a model to count them)");
            return;
        }
        text.AppendLine(string.Format(Invariant,
            "Tokens per example: min {0}, mean {1:0.0}, max {2} (content only; the chat/EOS template adds a few)",
            t.Min, t.Mean, t.Max));
        if (r.MaxSeqLength is int max)
            text.AppendLine($"Truncated at {max} tokens: {Plural(r.TruncatedExampleCount ?? 0, "example")}");
        text.AppendLine(string.Format(Invariant, "Total training tokens: {0:N0} ({1:N0} per epoch x {2} epochs)",
            r.TotalTrainingTokens, r.TokensPerEpoch, r.Epochs));
    }

    private static void AppendIssues(StringBuilder text, string title, IReadOnlyList<DataIssue> shown, int total, int notShown)
    {
        if (total == 0) return;
        text.AppendLine($"{title} ({total}):");
        foreach (var issue in shown) text.AppendLine($"  {issue} [{issue.Code}]");
        if (notShown > 0) text.AppendLine($"  ... {notShown} more not shown");
    }

    internal static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
