using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

public enum IssueSeverity
{
    /// <summary>Training refuses the dataset.</summary>
    Error,

    /// <summary>Training goes on, but the user should look.</summary>
    Warning,
}

/// <summary>One problem found in the data: where, what, and a stable machine-readable code
/// (OpenAI's code where OpenAI has one, see <see cref="IssueCodes"/>).</summary>
public sealed record DataIssue(IssueSeverity Severity, string Code, string Message, SourceLocation? Location = null)
{
    public static DataIssue Error(string code, string message, SourceLocation? location = null) =>
        new(IssueSeverity.Error, code, message, location);

    public static DataIssue Warning(string code, string message, SourceLocation? location = null) =>
        new(IssueSeverity.Warning, code, message, location);

    /// <summary>"frigo.jsonl line 7: invalid JSON (...)"; dataset-wide issues have no location prefix.</summary>
    public override string ToString() => Location is null ? Message : $"{Location}: {Message}";
}
