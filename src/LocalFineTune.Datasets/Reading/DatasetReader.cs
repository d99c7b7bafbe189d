using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>
/// Entry point: reads a dataset path (a .csv, a .jsonl, or a folder of them), splits off validation
/// examples, and validates everything in one pass. Bad data never throws: it is reported. A cancelled
/// <see cref="ValidationOptions.CancellationToken"/> throws <see cref="OperationCanceledException"/> within one line.
/// </summary>
public static class DatasetReader
{
    public static DatasetReadResult Read(string path, DatasetReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DatasetReadOptions();
        var issues = new IssueCollector(options.Validation.MaxIssuesShown);
        var files = new List<string>();
        var guard = new ExampleGuard(options.Validation);
        var examples = DatasetFiles.ReadAll(path, options.CsvDelimiter, guard, issues, files);
        var (training, validation) = SplitOrReadValidation(examples, options, guard, issues, files);
        var report = DatasetValidator.Validate(training, validation, options.Validation, issues, files);
        return new DatasetReadResult(training, validation, report);
    }

    private static (List<TrainingExample>, List<TrainingExample>) SplitOrReadValidation(
        List<TrainingExample> examples, DatasetReadOptions options, ExampleGuard guard, IssueCollector issues, List<string> files)
    {
        if (!IsValidSplit(options, issues)) return (examples, []);
        if (options.ValidationFile is { } validationPath)
            return (examples, DatasetFiles.ReadAll(validationPath, options.CsvDelimiter, guard, issues, files));
        if (options.ValidationSplit == 0) return (examples, []);

        var (training, validation) = DatasetSplitter.Split(examples, options.ValidationSplit, options.Seed);
        if (validation.Count == 0 && examples.Count > 0)
            issues.Add(DataIssue.Warning(IssueCodes.EmptyValidationSet,
                $"a validation split of {options.ValidationSplit:0.###} holds out no example from {examples.Count}; eval loss will not be measured"));
        return (training, validation);
    }

    private static bool IsValidSplit(DatasetReadOptions options, IssueCollector issues)
    {
        var fraction = options.ValidationSplit;
        if (double.IsNaN(fraction) || fraction is < 0 or >= 1)
        {
            issues.Add(DataIssue.Error(IssueCodes.InvalidValidationSplit,
                $"validation split {fraction} is out of range; use a fraction from 0 (none) to below 1, e.g. 0.1"));
            return false;
        }
        if (fraction > 0 && options.ValidationFile is not null)
        {
            issues.Add(DataIssue.Error(IssueCodes.InvalidValidationSplit,
                "both a validation file and a validation split were given; use one of them"));
            return false;
        }
        return true;
    }
}
