using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>
/// Reads a CSV file record by record with CsvHelper (RFC 4180: quoted cells, doubled quotes, multi-line
/// cells). Rows are numbered like a spreadsheet shows them: row 1 is the header and each record is one
/// row, blank lines included, even when a quoted cell spans several physical lines.
/// Blank lines, and rows whose cells are all exactly empty (",," from spreadsheet exports), are skipped.
/// </summary>
internal static class CsvFileReader
{
    public static void Read(string path, char? delimiterOverride, ExampleGuard guard, IssueCollector issues, ICollection<TrainingExample> output)
    {
        guard.ThrowIfCancelled();
        var delimiter = delimiterOverride ?? CsvDelimiterDetector.Detect(path);
        using var reader = TextFiles.OpenText(path);
        var badData = new List<(int Row, string Field)>();
        using var parser = new CsvParser(reader, NewConfiguration(delimiter, badData));
        if (!parser.Read() || parser.Record is not { } header)
        {
            issues.Add(DataIssue.Error(IssueCodes.EmptyFile,
                "the file is empty; write a header line (\"text\" or \"prompt,completion\") then one example per row", SourceLocation.ForFile(path)));
            return;
        }
        var columns = CsvColumns.Resolve(header, delimiter, new SourceLocation(path, Line: parser.RawRow, Row: parser.Row), issues);
        if (columns is null) return;
        var exampleCount = ReadRows(path, parser, header.Length, columns, badData, guard, issues, output);
        if (exampleCount == 0)
            issues.Add(DataIssue.Error(IssueCodes.EmptyFile,
                "the file has a header but no example rows", SourceLocation.ForFile(path)));
    }

    private static CsvConfiguration NewConfiguration(char delimiter, List<(int Row, string Field)> badData) =>
        new(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            HasHeaderRecord = false, // the header is read as the first record so that its row is known
            IgnoreBlankLines = true,
            DetectColumnCountChanges = false, // we report column counts ourselves, with the row
            BadDataFound = args => badData.Add((args.Context.Parser?.Row ?? 0, args.Field)),
        };

    private static int ReadRows(string path, CsvParser parser, int headerWidth, CsvColumns columns,
        List<(int Row, string Field)> badData, ExampleGuard guard, IssueCollector issues, ICollection<TrainingExample> output)
    {
        var encoding = new EncodingProblemTracker(path);
        var exampleNumber = 0;
        while (parser.Read())
        {
            guard.ThrowIfCancelled();
            var record = parser.Record ?? [];
            if (record.All(cell => cell.Length == 0)) continue;
            exampleNumber++;
            var location = new SourceLocation(path, Line: StartLine(parser), Row: parser.Row, ExampleNumber: exampleNumber);
            if (!guard.Fits(parser.RawRecord, location, issues))
            {
                badData.Clear(); // a stray quote in a refused row is not worth a second error
                continue;
            }
            encoding.Check(parser.RawRecord, location);
            if (ReportBadData(badData, location, issues) | !HasHeaderWidth(record, headerWidth, location, issues)) continue;
            output.Add(ToExample(record, columns, location));
        }
        encoding.Report(issues);
        return exampleNumber;
    }

    /// <summary>RawRow is the physical line where the record ends; a multi-line record started earlier.</summary>
    private static int StartLine(CsvParser parser)
    {
        var lineBreaks = parser.RawRecord.TrimEnd('\r', '\n').Count(c => c == '\n');
        return parser.RawRow - lineBreaks;
    }

    private static bool ReportBadData(List<(int Row, string Field)> badData, SourceLocation location, IssueCollector issues)
    {
        if (badData.Count == 0) return false;
        foreach (var (_, field) in badData)
        {
            issues.Add(DataIssue.Error(IssueCodes.CsvBadData,
                $"stray quote in cell {Shorten(field)}; wrap the cell in double quotes and double every quote inside it (\"\")", location));
        }
        badData.Clear();
        return true;
    }

    private static bool HasHeaderWidth(string[] record, int headerWidth, SourceLocation location, IssueCollector issues)
    {
        if (record.Length == headerWidth) return true;
        issues.Add(DataIssue.Error(IssueCodes.CsvWrongColumnCount,
            $"{record.Length} cells, but the header has {headerWidth}; quote cells that contain the delimiter or a line break",
            location));
        return false;
    }

    private static TrainingExample ToExample(string[] record, CsvColumns columns, SourceLocation location) =>
        columns.Kind == ExampleKind.Text
            ? TrainingExample.FromText(record[columns.TextIndex], location)
            : TrainingExample.FromPromptCompletion(record[columns.PromptIndex], record[columns.CompletionIndex], location);

    private static string Shorten(string field) =>
        field.Length <= 40 ? $"\"{field}\"" : $"\"{field[..37]}...\"";
}
