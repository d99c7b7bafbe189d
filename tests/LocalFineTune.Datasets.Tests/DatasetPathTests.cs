using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

public sealed class DatasetPathTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_ReportsFileNotFoundOnly_WhenPathDoesNotExist()
    {
        var report = DatasetReader.Read(Path.Combine(_folder.Path, "missing.jsonl")).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.FileNotFound, error.Code);
        Assert.Contains("check the path", error.Message);
    }

    [Theory]
    [InlineData("data.json", "jq -c")]
    [InlineData("data.txt", "save the data as CSV (UTF-8) or JSONL")]
    public void Read_ReportsUnsupportedFileTypeWithHint_WhenExtensionIsNotCsvOrJsonl(string name, string hint)
    {
        var path = _folder.Write(name, "[]");

        var error = Assert.Single(DatasetReader.Read(path).Report.Errors);

        Assert.Equal(IssueCodes.UnsupportedFileType, error.Code);
        Assert.Contains(hint, error.Message);
    }

    [Fact]
    public void Read_ReadsAllDataFilesInOrdinalOrder_WhenPathIsAFolder()
    {
        _folder.WriteLines("b.jsonl", Lines.ValidChats(6));
        _folder.Write("a.csv", "prompt,completion\n" + string.Join("\n", Enumerable.Range(1, 6).Select(i => $"q{i},a{i}")) + "\n");
        _folder.Write("notes.md", "ignored");

        var result = DatasetReader.Read(_folder.Path);

        Assert.Equal(["a.csv", "b.jsonl"], result.Report.Files.Select(Path.GetFileName));
        Assert.Equal(12, result.Examples.Count);
        Assert.Equal("q1", result.Examples[0].Prompt);
        Assert.True(result.Report.IsValid, result.Report.ToText());
    }

    [Fact]
    public void Read_ReportsEmptyFolder_WhenFolderHasNoDataFiles()
    {
        _folder.Write("readme.md", "nothing");

        var error = Assert.Single(DatasetReader.Read(_folder.Path).Report.Errors);

        Assert.Equal(IssueCodes.EmptyFolder, error.Code);
    }

    [Fact]
    public void Read_PutsErrorsOfEachFileUnderItsName_WhenFolderFilesAreBad()
    {
        _folder.WriteLines("a.jsonl", [.. Lines.ValidChats(10), "{bad"]);
        _folder.Write("b.csv", "question\nx\n");

        var report = DatasetReader.Read(_folder.Path).Report;

        Assert.Equal(["a.jsonl line 11", "b.csv row 1"], report.Errors.Select(e => e.Location!.ToString()));
    }
}
