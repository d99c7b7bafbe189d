using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>Reads a JSONL file one line at a time (never the whole file at once). Blank lines are skipped;
/// CRLF and a UTF-8 BOM are tolerated.</summary>
internal static class JsonlFileReader
{
    public static void Read(string path, ExampleGuard guard, IssueCollector issues, ICollection<TrainingExample> output)
    {
        using var reader = TextFiles.OpenText(path);
        var encoding = new EncodingProblemTracker(path);
        int lineNumber = 0, exampleNumber = 0;
        guard.ThrowIfCancelled();
        while (reader.ReadLine() is { } line)
        {
            guard.ThrowIfCancelled();
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            exampleNumber++;
            var location = new SourceLocation(path, Line: lineNumber, ExampleNumber: exampleNumber);
            if (!guard.Fits(line, location, issues)) continue;
            encoding.Check(line, location);
            if (JsonExampleParser.Parse(line, location, issues) is { } example) output.Add(example);
        }
        encoding.Report(issues);
        if (exampleNumber == 0)
            issues.Add(DataIssue.Error(IssueCodes.EmptyFile,
                "the file has no examples; write one JSON object per line", SourceLocation.ForFile(path)));
    }
}
