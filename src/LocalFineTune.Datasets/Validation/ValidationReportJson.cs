namespace LocalFineTune.Datasets.Validation;

/// <summary>The report's wire shape (serialized with snake_case keys). Kept apart from
/// <see cref="ValidationReport"/> so the C# type can evolve without breaking `lft validate --json` users.</summary>
internal sealed record ValidationReportJson(
    bool IsValid,
    int ErrorCount,
    int WarningCount,
    IReadOnlyList<IssueJson> Errors,
    IReadOnlyList<IssueJson> Warnings,
    int ErrorsNotShown,
    int WarningsNotShown,
    IReadOnlyList<string> Files,
    int NExamples,
    int NValidationExamples,
    ExampleKindsJson ExampleKinds,
    TokenStatistics? TokensPerExample,
    int? MaxSeqLength,
    int? NTruncated,
    int Epochs,
    long? TokensPerEpoch,
    long? TotalTrainingTokens)
{
    public static ValidationReportJson From(ValidationReport r) => new(
        r.IsValid, r.ErrorCount, r.WarningCount,
        r.Errors.Select(IssueJson.From).ToList(), r.Warnings.Select(IssueJson.From).ToList(),
        r.ErrorsNotShown, r.WarningsNotShown, r.Files,
        r.ExampleCount, r.ValidationExampleCount,
        new ExampleKindsJson(r.TextExampleCount, r.PromptCompletionExampleCount, r.ChatExampleCount),
        r.TokensPerExample, r.MaxSeqLength, r.TruncatedExampleCount, r.Epochs,
        r.TokensPerEpoch, r.TotalTrainingTokens);
}

internal sealed record ExampleKindsJson(int Text, int PromptCompletion, int Chat);

internal sealed record IssueJson(string Severity, string Code, string Message, string? File, int? Line, int? Row, int? Example)
{
    public static IssueJson From(DataIssue i) => new(
        i.Severity == IssueSeverity.Error ? "error" : "warning", i.Code, i.ToString(),
        i.Location?.File, i.Location?.Line, i.Location?.Row, i.Location?.ExampleNumber);
}
