using System.Globalization;
using System.Text;
using LocalFineTune.Training.Comparison;

namespace LocalFineTune.Cli.Commands.Compare;

/// <summary>The comparison as rows of plain text (the terminal, a log) and as HTML table cells (the report).</summary>
internal static class ComparisonTable
{
    public static readonly string[] Headers =
        ["model", "status", "method", "eval before", "eval after", "change", "ppl after", "train s", "tok/s", "tokens", "params", "size MB"];

    public static IEnumerable<string[]> Rows(ComparisonReport report) => report.Models.Select(m => new[]
    {
        m.Model + (m.Model == report.Best ? " *" : ""), m.Status, m.Method ?? "", F(m.EvalLossBefore), F(m.EvalLossAfter),
        F(m.EvalLossChange, "+0.0000;-0.0000"), F(m.PerplexityAfter, "0.00"), F(m.TrainSeconds, "0"), F(m.TokensPerSecond, "0"),
        m.TrainedTokens?.ToString("N0", CultureInfo.InvariantCulture) ?? "", Millions(m.Parameters), F(m.FolderBytes / 1e6, "0.0"),
    });

    public static string Text(ComparisonReport report)
    {
        var rows = Rows(report).Prepend(Headers).ToList();
        var widths = Headers.Select((_, c) => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows) text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        text.AppendLine(report.Best is { } best ? $"best: {best} (lowest eval loss after training; * in the table)" : "best: none (no run succeeded)");
        foreach (var failed in report.Models.Where(m => m.Error is not null)) text.AppendLine($"{failed.Model}: {failed.Error}");
        return text.ToString();
    }

    private static string F(double? value, string format = "0.0000") => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";

    private static string Millions(long? parameters) => parameters is { } p ? (p / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M" : "";
}
