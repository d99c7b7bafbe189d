using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Preferences;

/// <summary>
/// Content checks of preference pairs, with the same located errors and report as supervised data: an empty prompt,
/// an empty chosen or rejected answer, the two answers identical (nothing to learn from), and, given a token counter
/// and a context length, a prompt that leaves no room for the answer. Pairs whose prompt plus answer run past the
/// length are warned about: the trainer keeps the answer and cuts the prompt's beginning.
/// </summary>
public static class PreferenceValidator
{
    public static ValidationReport Validate(IReadOnlyList<PreferenceExample> training, ValidationOptions? options = null,
        IReadOnlyList<PreferenceExample>? validation = null)
    {
        options ??= new ValidationOptions();
        var files = training.Concat(validation ?? []).Select(e => e.Source.File).Distinct().ToList();
        return Validate(training, validation ?? [], options, new IssueCollector(options.MaxIssuesShown), files);
    }

    internal static ValidationReport Validate(IReadOnlyList<PreferenceExample> training, IReadOnlyList<PreferenceExample> validation,
        ValidationOptions options, IssueCollector issues, IReadOnlyList<string> files)
    {
        var all = training.Concat(validation).ToList();
        foreach (var pair in all) CheckContent(pair, issues);
        var lengths = options.CountTokens is { } count ? all.Select(p => CheckLength(p, count, options, issues)).ToList() : null;
        if (!(training.Count == 0 && issues.ErrorCount > 0))
            DatasetChecks.CheckExampleCount(training.Count, 0, options.MinExamples, issues);
        var trainingLengths = lengths?.Take(training.Count).ToList();
        return new ValidationReport
        {
            Errors = InReadingOrder(issues.Errors, files),
            Warnings = InReadingOrder(issues.Warnings, files),
            ErrorCount = issues.ErrorCount,
            WarningCount = issues.WarningCount,
            Files = files,
            ExampleCount = training.Count,
            ValidationExampleCount = validation.Count,
            PromptCompletionExampleCount = training.Count(p => !p.IsConversational),
            ChatExampleCount = training.Count(p => p.IsConversational),
            TokensPerExample = trainingLengths is { Count: > 0 } ? new TokenStatistics(trainingLengths.Min(), trainingLengths.Average(), trainingLengths.Max()) : null,
            MaxSeqLength = options.MaxSeqLength,
            TruncatedExampleCount = trainingLengths is null || options.MaxSeqLength is null ? null : trainingLengths.Count(n => n > options.MaxSeqLength),
            Epochs = options.EpochsFor(training.Count),
            // Both answers are trained on (with the prompt each time), each capped at the context length.
            TokensPerEpoch = trainingLengths?.Sum(n => (long)Math.Min(n, options.MaxSeqLength ?? int.MaxValue)),
        };
    }

    /// <summary>File by file, top to bottom; dataset-wide issues last (as the supervised report orders them).</summary>
    private static List<DataIssue> InReadingOrder(IReadOnlyList<DataIssue> issues, IReadOnlyList<string> files) =>
        issues.OrderBy(i => i.Location is null ? int.MaxValue : files.ToList().IndexOf(i.Location.File) is var at && at >= 0 ? at : files.Count)
              .ThenBy(i => i.Location?.Line ?? 0).ToList();

    private static void CheckContent(PreferenceExample pair, IssueCollector issues)
    {
        var promptEmpty = pair.IsConversational ? pair.PromptMessages!.Count == 0 : string.IsNullOrWhiteSpace(pair.PromptText);
        if (promptEmpty)
            issues.Add(DataIssue.Error(IssueCodes.EmptyPrompt, "the prompt is empty; write what the answers reply to", pair.Source));
        if (pair.IsConversational)
            for (var i = 0; i < pair.PromptMessages!.Count; i++)
                if (string.IsNullOrWhiteSpace(pair.PromptMessages[i].Content))
                    issues.Add(DataIssue.Error(IssueCodes.MissingContent, $"prompt message {i + 1} ({pair.PromptMessages[i].Role.ToWireName()}) is empty; write its text or remove it", pair.Source));
        var chosenEmpty = string.IsNullOrWhiteSpace(pair.Chosen);
        var rejectedEmpty = string.IsNullOrWhiteSpace(pair.Rejected);
        if (chosenEmpty) issues.Add(DataIssue.Error(IssueCodes.EmptyChosen, "the chosen (preferred) answer is empty; write the better answer", pair.Source));
        if (rejectedEmpty) issues.Add(DataIssue.Error(IssueCodes.EmptyRejected, "the rejected (non-preferred) answer is empty; write the worse answer", pair.Source));
        if (!chosenEmpty && string.Equals(pair.Chosen.Trim(), pair.Rejected.Trim(), StringComparison.Ordinal))
            issues.Add(DataIssue.Error(IssueCodes.ChosenEqualsRejected,
                "the chosen and rejected answers are identical, so the pair teaches nothing; make the rejected answer the worse one, or drop the pair", pair.Source));
    }

    /// <summary>Tokens of prompt + the longer answer; an error when the prompt alone fills the context.</summary>
    private static int CheckLength(PreferenceExample pair, Func<string, int> count, ValidationOptions options, IssueCollector issues)
    {
        options.CancellationToken.ThrowIfCancellationRequested();
        var maxSeqLength = options.MaxSeqLength;
        var prompt = count(pair.PromptForCounting());
        var total = prompt + Math.Max(count(pair.Chosen), count(pair.Rejected)) + 1; // + the end-of-answer token
        if (maxSeqLength is not int limit) return total;
        if (prompt >= limit)
            issues.Add(DataIssue.Error(IssueCodes.PromptTooLong,
                $"the prompt has {prompt} tokens, which leaves no room for the answer within max_seq_length {limit}; shorten the prompt or raise max_seq_length", pair.Source));
        else if (total > limit)
            issues.Add(DataIssue.Warning(IssueCodes.ExamplesTruncated,
                $"prompt + answer is {total} tokens, over max_seq_length {limit}; the prompt's beginning will be cut to keep the answer", pair.Source));
        return total;
    }
}
