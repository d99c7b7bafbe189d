using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Preferences;

/// <summary>
/// CSV with "prompt", "chosen" and "rejected" columns (any order, case-insensitive), read like supervised CSV:
/// CsvHelper's RFC 4180 parsing, ',' / ';' / tab detected, spreadsheet row numbers, blank rows skipped.
/// </summary>
internal static class PreferenceCsvReader
{
    private static readonly string[] Columns = ["prompt", "chosen", "rejected"];

    public static void Read(string path, char? delimiterOverride, ExampleGuard guard, IssueCollector issues, ICollection<PreferenceExample> output)
    {
        guard.ThrowIfCancelled();
        var delimiter = delimiterOverride ?? CsvDelimiterDetector.Detect(path);
        using var reader = TextFiles.OpenText(path);
        var badData = new List<string>();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(), HasHeaderRecord = false, IgnoreBlankLines = true, DetectColumnCountChanges = false,
            BadDataFound = args => badData.Add(args.Field),
        };
        using var parser = new CsvParser(reader, configuration);
        if (!parser.Read() || parser.Record is not { } header)
        {
            issues.Add(DataIssue.Error(IssueCodes.EmptyFile, "the file is empty; write the header \"prompt,chosen,rejected\" then one pair per row", SourceLocation.ForFile(path)));
            return;
        }
        var indices = ResolveColumns(header, delimiter, new SourceLocation(path, Line: parser.RawRow, Row: parser.Row), issues);
        if (indices is null) return;
        var encoding = new EncodingProblemTracker(path);
        var number = 0;
        while (parser.Read())
        {
            guard.ThrowIfCancelled();
            var record = parser.Record ?? [];
            if (record.All(cell => cell.Length == 0)) continue;
            number++;
            var lineBreaks = parser.RawRecord.TrimEnd('\r', '\n').Count(c => c == '\n');
            var location = new SourceLocation(path, Line: parser.RawRow - lineBreaks, Row: parser.Row, ExampleNumber: number);
            if (!guard.Fits(parser.RawRecord, location, issues))
            {
                badData.Clear();
                continue;
            }
            encoding.Check(parser.RawRecord, location);
            if (!IsWellFormed(record, header.Length, badData, location, issues)) continue;
            output.Add(PreferenceExample.FromText(record[indices[0]], record[indices[1]], record[indices[2]], location));
        }
        encoding.Report(issues);
        if (number == 0) issues.Add(DataIssue.Error(IssueCodes.EmptyFile, "the file has a header but no pairs", SourceLocation.ForFile(path)));
    }

    private static int[]? ResolveColumns(string[] header, char delimiter, SourceLocation location, IssueCollector issues)
    {
        var names = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var indices = Columns.Select(c => Array.IndexOf(names, c)).ToArray();
        var missing = Columns.Where((_, i) => indices[i] < 0).ToList();
        if (missing.Count > 0)
        {
            issues.Add(DataIssue.Error(IssueCodes.CsvMissingColumns,
                $"missing column(s) {string.Join(", ", missing.Select(m => $"\"{m}\""))}; found {string.Join(", ", header.Select(h => $"\"{h.Trim()}\""))}. " +
                $"Preference CSV needs a header \"prompt,chosen,rejected\" (read with delimiter {CsvColumns.DelimiterName(delimiter)})", location));
            return null;
        }
        var ignored = header.Where((_, i) => !indices.Contains(i)).Select(h => $"\"{h.Trim()}\"").ToList();
        if (ignored.Count > 0)
            issues.Add(DataIssue.Warning(IssueCodes.CsvIgnoredColumns,
                $"column(s) {string.Join(", ", ignored)} are ignored; only \"prompt\", \"chosen\" and \"rejected\" are used", location));
        return indices;
    }

    private static bool IsWellFormed(string[] record, int width, List<string> badData, SourceLocation location, IssueCollector issues)
    {
        var ok = true;
        foreach (var field in badData)
        {
            issues.Add(DataIssue.Error(IssueCodes.CsvBadData,
                $"stray quote in cell \"{(field.Length <= 40 ? field : field[..37] + "...")}\"; wrap the cell in double quotes and double every quote inside it (\"\")", location));
            ok = false;
        }
        badData.Clear();
        if (record.Length != width)
        {
            issues.Add(DataIssue.Error(IssueCodes.CsvWrongColumnCount,
                $"{record.Length} cells, but the header has {width}; quote cells that contain the delimiter or a line break", location));
            ok = false;
        }
        return ok;
    }
}
