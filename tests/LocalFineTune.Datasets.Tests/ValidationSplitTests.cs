using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

public sealed class ValidationSplitTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_HoldsOutTheSameExamples_WhenSeedIsTheSame()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(40));
        var options = new DatasetReadOptions { ValidationSplit = 0.25, Seed = 7 };

        var first = DatasetReader.Read(path, options);
        var second = DatasetReader.Read(path, options);
        var otherSeed = DatasetReader.Read(path, options with { Seed = 8 });

        Assert.Equal(30, first.Examples.Count);
        Assert.Equal(10, first.ValidationExamples.Count);
        Assert.Equal(first.ValidationExamples.Select(e => e.Source.Line), second.ValidationExamples.Select(e => e.Source.Line));
        Assert.NotEqual(first.ValidationExamples.Select(e => e.Source.Line), otherSeed.ValidationExamples.Select(e => e.Source.Line));
        Assert.Empty(first.Examples.Select(e => e.Source.Line).Intersect(first.ValidationExamples.Select(e => e.Source.Line)));
        Assert.Equal(10, first.Report.ValidationExampleCount);
    }

    [Fact]
    public void Read_CountsOnlyTrainingExamplesForTheMinimum_WhenSplitLeavesTooFew()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(10));

        var report = DatasetReader.Read(path, new DatasetReadOptions { ValidationSplit = 0.1 }).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.InvalidNExamples, error.Code);
        Assert.Equal("9 examples (after holding out 1 for validation), at least 10 required; add examples (50 to 100 good ones is a better start)", error.Message);
    }

    [Fact]
    public void Read_ReadsAndChecksTheValidationFile_WhenOneIsGiven()
    {
        var training = _folder.WriteLines("train.jsonl", Lines.ValidChats(10));
        var validation = _folder.WriteLines("valid.jsonl", Lines.Chat("q", "a"), """{"messages":[{"role":"user","content":"q2"}]}""");

        var result = DatasetReader.Read(training, new DatasetReadOptions { ValidationFile = validation });

        Assert.Equal(10, result.Examples.Count);
        Assert.Equal(2, result.ValidationExamples.Count); // parsed; the second fails a content rule, reported below
        var error = Assert.Single(result.Report.Errors);
        Assert.Equal("valid.jsonl line 2", error.Location!.ToString());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Read_ReportsInvalidSplit_WhenFractionIsOutOfRange(double fraction)
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(10));

        var report = DatasetReader.Read(path, new DatasetReadOptions { ValidationSplit = fraction }).Report;

        Assert.Equal(IssueCodes.InvalidValidationSplit, Assert.Single(report.Errors).Code);
    }

    [Fact]
    public void Read_ReportsInvalidSplit_WhenBothFileAndFractionAreGiven()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(10));

        var report = DatasetReader.Read(path, new DatasetReadOptions { ValidationSplit = 0.2, ValidationFile = path }).Report;

        Assert.Equal(IssueCodes.InvalidValidationSplit, Assert.Single(report.Errors).Code);
    }

    [Theory]
    [InlineData(100, 0.1, 10)]
    [InlineData(10, 0.01, 1)]
    [InlineData(1, 0.5, 0)]
    [InlineData(3, 0.9, 2)]
    [InlineData(50, 0.0, 0)]
    public void HeldOutCount_RoundsAndKeepsOneOnEachSide_WhenSplitting(int count, double fraction, int expected)
    {
        Assert.Equal(expected, DatasetSplitter.HeldOutCount(count, fraction));
    }
}
