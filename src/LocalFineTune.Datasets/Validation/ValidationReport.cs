using System.Text.Json;
using System.Text.Json.Serialization;
using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

/// <summary>Token figures per training example, counted on content (see <see cref="TrainingExample.ContentForCounting"/>).</summary>
public sealed record TokenStatistics(int Min, double Mean, int Max);

/// <summary>
/// Everything validation found, plus the dataset's counts. <see cref="Errors"/> and <see cref="Warnings"/>
/// hold at most <see cref="ValidationOptions.MaxIssuesShown"/> each; the totals are in
/// <see cref="ErrorCount"/> and <see cref="WarningCount"/>.
/// </summary>
public sealed record ValidationReport
{
    public bool IsValid => ErrorCount == 0;
    public required IReadOnlyList<DataIssue> Errors { get; init; }
    public required IReadOnlyList<DataIssue> Warnings { get; init; }
    public int ErrorCount { get; init; }
    public int WarningCount { get; init; }
    public int ErrorsNotShown => ErrorCount - Errors.Count;
    public int WarningsNotShown => WarningCount - Warnings.Count;

    /// <summary>Files read, in reading order.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Training examples (after the validation split).</summary>
    public int ExampleCount { get; init; }
    public int ValidationExampleCount { get; init; }
    public int TextExampleCount { get; init; }
    public int PromptCompletionExampleCount { get; init; }
    public int ChatExampleCount { get; init; }

    /// <summary>Null when no token counter was given.</summary>
    public TokenStatistics? TokensPerExample { get; init; }
    public int? MaxSeqLength { get; init; }

    /// <summary>Training examples longer than <see cref="MaxSeqLength"/>; null when either is unknown.</summary>
    public int? TruncatedExampleCount { get; init; }
    public int Epochs { get; init; }

    /// <summary>Tokens seen in one epoch, each example capped at <see cref="MaxSeqLength"/> because
    /// truncated tokens are never trained on. Null without a token counter.</summary>
    public long? TokensPerEpoch { get; init; }

    /// <summary><see cref="TokensPerEpoch"/> × <see cref="Epochs"/>.</summary>
    public long? TotalTrainingTokens => TokensPerEpoch * Epochs;

    public string ToText() => ValidationReportText.Render(this);

    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(ValidationReportJson.From(this), indented ? IndentedJson : CompactJson);

    private static readonly JsonSerializerOptions IndentedJson = NewJsonOptions(indented: true);
    private static readonly JsonSerializerOptions CompactJson = NewJsonOptions(indented: false);

    private static JsonSerializerOptions NewJsonOptions(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = indented,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
