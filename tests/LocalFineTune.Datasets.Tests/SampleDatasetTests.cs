using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Reading;

namespace LocalFineTune.Datasets.Tests;

/// <summary>The dataset shipped in data/ must always pass validation cleanly: the README's main job trains on it.</summary>
public sealed class SampleDatasetTests
{
    private static string DataFile(string name)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "LocalFineTune.sln"))) folder = folder.Parent;
        Assert.NotNull(folder);
        return Path.Combine(folder.FullName, "data", name);
    }

    [Theory]
    [InlineData("frigo_training.csv", ExampleKind.PromptCompletion, 120)]
    [InlineData("frigo_training.jsonl", ExampleKind.Chat, 120)]
    [InlineData("frigo_text.jsonl", ExampleKind.Text, 60)]
    public void Read_IsValidWithoutWarnings_WhenReadingTheShippedSample(string name, ExampleKind kind, int atLeast)
    {
        var result = DatasetReader.Read(DataFile(name), new DatasetReadOptions { ValidationSplit = 0.1 });

        Assert.True(result.Report.IsValid, result.Report.ToText());
        Assert.Empty(result.Report.Warnings);
        Assert.True(result.Examples.Count + result.ValidationExamples.Count >= atLeast);
        Assert.All(result.Examples, e => Assert.Equal(kind, e.Kind));
    }

    [Fact]
    public void Read_HasTheSameExamplesInCsvAndJsonl_WhenComparingTheTwoSampleFormats()
    {
        var csv = DatasetReader.Read(DataFile("frigo_training.csv")).Examples;
        var jsonl = DatasetReader.Read(DataFile("frigo_training.jsonl")).Examples;

        Assert.Equal(csv.Select(e => (e.Prompt!, e.Completion!)), jsonl.Select(e => (e.Messages![1].Content, e.Messages[2].Content)));
    }
}
