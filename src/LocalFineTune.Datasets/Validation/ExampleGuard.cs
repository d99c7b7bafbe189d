using System.Globalization;
using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

/// <summary>
/// What every reader checks per line or record before parsing it: that the caller has not cancelled, and that the
/// record is within <see cref="ValidationOptions.MaxExampleCharacters"/>. Checking the raw record (not the parsed
/// content) keeps a huge line from being parsed, copied or tokenized at all.
/// </summary>
internal sealed class ExampleGuard(ValidationOptions options)
{
    public CancellationToken CancellationToken => options.CancellationToken;

    public void ThrowIfCancelled() => options.CancellationToken.ThrowIfCancellationRequested();

    /// <summary>False (and an error naming the line and the limit) when the record is longer than the limit.</summary>
    public bool Fits(ReadOnlySpan<char> record, SourceLocation location, IssueCollector issues)
    {
        record = record.TrimEnd("\r\n"); // a CSV record comes with its line break
        if (options.MaxExampleCharacters is not int limit || record.Length <= limit) return true;
        var setting = options.MaxExampleCharactersSetting is { } key ? $" ({key})" : "";
        issues.Add(DataIssue.Error(IssueCodes.ExampleTooLong, string.Format(CultureInfo.InvariantCulture,
            "example {0} is {1:N0} characters long, over the limit of {2:N0} characters per example{3}; shorten it or split it into several examples",
            location.ExampleNumber?.ToString(CultureInfo.InvariantCulture) ?? "?", record.Length, limit, setting), location));
        return false;
    }
}
