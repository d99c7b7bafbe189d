namespace LocalFineTune.Datasets.Validation;

/// <summary>
/// Accumulates issues during the single pass over the data. Keeps the first <c>maxShown</c> errors and
/// warnings, and counts the rest, so the report can say "N more not shown" without holding them all.
/// </summary>
internal sealed class IssueCollector(int maxShown)
{
    private readonly List<DataIssue> _errors = [];
    private readonly List<DataIssue> _warnings = [];

    public int ErrorCount { get; private set; }
    public int WarningCount { get; private set; }
    public IReadOnlyList<DataIssue> Errors => _errors;
    public IReadOnlyList<DataIssue> Warnings => _warnings;

    public void Add(DataIssue issue)
    {
        if (issue.Severity == IssueSeverity.Error)
        {
            ErrorCount++;
            if (_errors.Count < maxShown) _errors.Add(issue);
        }
        else
        {
            WarningCount++;
            if (_warnings.Count < maxShown) _warnings.Add(issue);
        }
    }

    public void AddRange(IEnumerable<DataIssue> issues)
    {
        foreach (var issue in issues) Add(issue);
    }
}
