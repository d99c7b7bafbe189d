using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Preferences;

/// <summary>The pairs read, the held-out ones, and the report; check <see cref="ValidationReport.IsValid"/> before training.</summary>
public sealed record PreferenceReadResult(
    IReadOnlyList<PreferenceExample> Examples,
    IReadOnlyList<PreferenceExample> ValidationExamples,
    ValidationReport Report);

/// <summary>
/// Entry point for preference data: a .jsonl (OpenAI's or TRL's pairs), a .csv (prompt,chosen,rejected) or a folder
/// of them, with the same options, validation split and report as <see cref="DatasetReader"/>. Bad data never throws.
/// </summary>
public static class PreferenceReader
{
    public static PreferenceReadResult Read(string path, DatasetReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DatasetReadOptions();
        var issues = new IssueCollector(options.Validation.MaxIssuesShown);
        var files = new List<string>();
        var guard = new ExampleGuard(options.Validation);
        var examples = ReadAll(path, options.CsvDelimiter, guard, issues, files);
        List<PreferenceExample> training = examples, validation = [];
        if (options.ValidationFile is { } validationPath)
        {
            if (options.ValidationSplit > 0)
                issues.Add(DataIssue.Error(IssueCodes.InvalidValidationSplit, "both a validation file and a validation split were given; use one of them"));
            validation = ReadAll(validationPath, options.CsvDelimiter, guard, issues, files);
        }
        else if (options.ValidationSplit is > 0 and < 1)
            (training, validation) = DatasetSplitter.Split(examples, options.ValidationSplit, options.Seed);
        else if (options.ValidationSplit != 0)
            issues.Add(DataIssue.Error(IssueCodes.InvalidValidationSplit,
                $"validation split {options.ValidationSplit} is out of range; use a fraction from 0 (none) to below 1, e.g. 0.1"));
        var report = PreferenceValidator.Validate(training, validation, options.Validation, issues, files);
        return new PreferenceReadResult(training, validation, report);
    }

    private static List<PreferenceExample> ReadAll(string path, char? csvDelimiter, ExampleGuard guard, IssueCollector issues, List<string> filesRead)
    {
        var pairs = new List<PreferenceExample>();
        foreach (var file in DatasetFiles.Resolve(path, issues))
        {
            filesRead.Add(file);
            if (Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase)) PreferenceCsvReader.Read(file, csvDelimiter, guard, issues, pairs);
            else ReadJsonl(file, guard, issues, pairs);
        }
        return pairs;
    }

    private static void ReadJsonl(string path, ExampleGuard guard, IssueCollector issues, List<PreferenceExample> output)
    {
        using var reader = TextFiles.OpenText(path);
        var encoding = new EncodingProblemTracker(path);
        int lineNumber = 0, number = 0;
        guard.ThrowIfCancelled();
        while (reader.ReadLine() is { } line)
        {
            guard.ThrowIfCancelled();
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            number++;
            var location = new Model.SourceLocation(path, Line: lineNumber, ExampleNumber: number);
            if (!guard.Fits(line, location, issues)) continue;
            encoding.Check(line, location);
            if (PreferenceJsonParser.Parse(line, location, issues) is { } pair) output.Add(pair);
        }
        encoding.Report(issues);
        if (number == 0)
            issues.Add(DataIssue.Error(IssueCodes.EmptyFile, "the file has no pairs; write one JSON object per line", Model.SourceLocation.ForFile(path)));
    }
}
