using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

/// <summary>
/// Checks parsed examples and computes the report's counts. <see cref="Reading.DatasetReader"/> calls it after
/// reading; call it directly for examples built in code (e.g. from an HTTP upload already parsed).
/// </summary>
public static class DatasetValidator
{
    public static ValidationReport Validate(IReadOnlyList<TrainingExample> training, ValidationOptions? options = null,
        IReadOnlyList<TrainingExample>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        options ??= new ValidationOptions();
        var files = training.Concat(validation ?? []).Select(e => e.Source.File).Distinct().ToList();
        return Validate(training, validation ?? [], options, new IssueCollector(options.MaxIssuesShown), files);
    }

    internal static ValidationReport Validate(IReadOnlyList<TrainingExample> training, IReadOnlyList<TrainingExample> validation,
        ValidationOptions options, IssueCollector issues, IReadOnlyList<string> files)
    {
        foreach (var example in training.Concat(validation))
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            ExampleContentChecks.Check(example, issues);
        }
        DatasetChecks.WarnAboutMixedFormats(training.Concat(validation).ToList(), issues);
        DatasetChecks.WarnAboutDuplicates(training, issues);
        // A missing or unreadable file already explains why there are no examples; "0 examples" would be noise.
        if (!(training.Count == 0 && issues.ErrorCount > 0))
            DatasetChecks.CheckExampleCount(training.Count, HeldOutFromSameFiles(training, validation), options.MinExamples, issues);
        var tokens = TokenCounts.Measure(training, options, issues);
        return BuildReport(training, validation, options, issues, files, tokens);
    }

    private static int HeldOutFromSameFiles(IReadOnlyList<TrainingExample> training, IReadOnlyList<TrainingExample> validation)
    {
        var trainingFiles = training.Select(e => e.Source.File).ToHashSet();
        return validation.Count(e => trainingFiles.Contains(e.Source.File));
    }

    private static ValidationReport BuildReport(IReadOnlyList<TrainingExample> training, IReadOnlyList<TrainingExample> validation,
        ValidationOptions options, IssueCollector issues, IReadOnlyList<string> files, TokenCounts? tokens) => new()
    {
        Errors = InReadingOrder(issues.Errors, files),
        Warnings = InReadingOrder(issues.Warnings, files),
        ErrorCount = issues.ErrorCount,
        WarningCount = issues.WarningCount,
        Files = files,
        ExampleCount = training.Count,
        ValidationExampleCount = validation.Count,
        TextExampleCount = training.Count(e => e.Kind == ExampleKind.Text),
        PromptCompletionExampleCount = training.Count(e => e.Kind == ExampleKind.PromptCompletion),
        ChatExampleCount = training.Count(e => e.Kind == ExampleKind.Chat),
        TokensPerExample = tokens?.Statistics,
        MaxSeqLength = options.MaxSeqLength,
        TruncatedExampleCount = tokens?.TruncatedCount,
        Epochs = options.EpochsFor(training.Count),
        TokensPerEpoch = tokens?.TokensPerEpoch,
    };

    /// <summary>Parsing and content checks run in two sweeps; users read the issues file by file, top to bottom.
    /// Dataset-wide issues (no location) come last.</summary>
    private static List<DataIssue> InReadingOrder(IReadOnlyList<DataIssue> issues, IReadOnlyList<string> files) =>
        issues.OrderBy(i => i.Location is null ? int.MaxValue : IndexOf(files, i.Location.File))
              .ThenBy(i => i.Location?.Line ?? 0)
              .ToList();

    private static int IndexOf(IReadOnlyList<string> files, string file)
    {
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i] == file) return i;
        }
        return files.Count;
    }
}
