using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>Resolves a dataset path (file or folder) to the data files it stands for, and reads them.</summary>
internal static class DatasetFiles
{
    public static readonly string[] SupportedExtensions = [".csv", ".jsonl"];

    /// <summary>Reads every example under <paramref name="path"/>; problems go to <paramref name="issues"/>.</summary>
    public static List<TrainingExample> ReadAll(string path, char? csvDelimiter, ExampleGuard guard, IssueCollector issues, List<string> filesRead)
    {
        var examples = new List<TrainingExample>();
        foreach (var file in Resolve(path, issues))
        {
            filesRead.Add(file);
            ReadFile(file, csvDelimiter, guard, issues, examples);
        }
        return examples;
    }

    internal static IEnumerable<string> Resolve(string path, IssueCollector issues)
    {
        if (Directory.Exists(path)) return FilesInFolder(path, issues);
        if (!File.Exists(path))
        {
            issues.Add(DataIssue.Error(IssueCodes.FileNotFound,
                $"file not found (resolved to {Path.GetFullPath(path)}); check the path", SourceLocation.ForFile(path)));
            return [];
        }
        if (!IsSupported(path))
        {
            issues.Add(DataIssue.Error(IssueCodes.UnsupportedFileType, UnsupportedMessage(path), SourceLocation.ForFile(path)));
            return [];
        }
        return [path];
    }

    /// <summary>Top-level *.csv and *.jsonl files in ordinal name order, so every machine reads them the same way.</summary>
    private static IEnumerable<string> FilesInFolder(string folder, IssueCollector issues)
    {
        var files = Directory.EnumerateFiles(folder).Where(IsSupported).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            issues.Add(DataIssue.Error(IssueCodes.EmptyFolder,
                $"no .csv or .jsonl files in folder {folder}; put the dataset files directly in it", SourceLocation.ForFile(folder)));
        return files;
    }

    private static bool IsSupported(string path) =>
        SupportedExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static string UnsupportedMessage(string path)
    {
        var extension = Path.GetExtension(path);
        var hint = extension.Equals(".json", StringComparison.OrdinalIgnoreCase)
            ? "; JSONL needs one example object per line: convert a JSON array with `jq -c '.[]' in.json > out.jsonl`"
            : "; save the data as CSV (UTF-8) or JSONL";
        return $"unsupported file type \"{extension}\", expected .csv or .jsonl{hint}";
    }

    private static void ReadFile(string file, char? csvDelimiter, ExampleGuard guard, IssueCollector issues, List<TrainingExample> output)
    {
        if (Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase))
            CsvFileReader.Read(file, csvDelimiter, guard, issues, output);
        else
            JsonlFileReader.Read(file, guard, issues, output);
    }
}
