using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>Which header columns hold the example: "text", or "prompt" + "completion" (case-insensitive, trimmed).</summary>
internal sealed record CsvColumns(ExampleKind Kind, int TextIndex, int PromptIndex, int CompletionIndex)
{
    private const string Expected = "expected a \"text\" column, or \"prompt\" and \"completion\" columns";

    public static CsvColumns? Resolve(string[] header, char delimiter, SourceLocation location, IssueCollector issues)
    {
        var names = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int text = Array.IndexOf(names, "text"), prompt = Array.IndexOf(names, "prompt"), completion = Array.IndexOf(names, "completion");
        CsvColumns? columns = null;
        if (prompt >= 0 && completion >= 0) columns = new(ExampleKind.PromptCompletion, -1, prompt, completion);
        else if (text >= 0 && prompt < 0 && completion < 0) columns = new(ExampleKind.Text, text, -1, -1);

        if (columns is null)
        {
            issues.Add(DataIssue.Error(IssueCodes.CsvMissingColumns, MissingMessage(header, prompt, completion, delimiter), location));
            return null;
        }
        WarnAboutIgnoredColumns(header, columns, location, issues);
        return columns;
    }

    private static string MissingMessage(string[] header, int prompt, int completion, char delimiter)
    {
        var found = string.Join(", ", header.Select(h => $"\"{h.Trim()}\""));
        var missing = prompt >= 0 ? "missing column \"completion\"; " : completion >= 0 ? "missing column \"prompt\"; " : "";
        return $"{missing}found columns {found}, {Expected}. The first line must be the header" +
               $" (read with delimiter {DelimiterName(delimiter)}; pass another delimiter if the file uses one)";
    }

    private static void WarnAboutIgnoredColumns(string[] header, CsvColumns columns, SourceLocation location, IssueCollector issues)
    {
        var used = new[] { columns.TextIndex, columns.PromptIndex, columns.CompletionIndex };
        var ignored = header.Where((_, i) => !used.Contains(i)).Select(h => $"\"{h.Trim()}\"").ToList();
        if (ignored.Count == 0) return;
        issues.Add(DataIssue.Warning(IssueCodes.CsvIgnoredColumns,
            $"column(s) {string.Join(", ", ignored)} are ignored; only {(columns.Kind == ExampleKind.Text ? "\"text\"" : "\"prompt\" and \"completion\"")} are used",
            location));
    }

    public static string DelimiterName(char delimiter) => delimiter == '\t' ? "tab" : $"'{delimiter}'";
}
