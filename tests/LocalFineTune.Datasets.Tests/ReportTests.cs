using System.Text.Json;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // One token per whitespace-separated word: easy to reason about in assertions.
    private static int CountWords(string text) => text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;

    private string WriteTexts(params int[] wordCounts) =>
        _folder.WriteLines("data.jsonl", wordCounts.Select((n, i) => Lines.Text(string.Join(" ", Enumerable.Repeat($"w{i}", n)))).ToArray());

    [Fact]
    public void Read_ComputesTokenStatisticsAndTruncation_WhenTokenCounterAndMaxLengthAreGiven()
    {
        var path = WriteTexts(2, 4, 6, 8, 10, 12, 14, 16, 18, 30);
        var options = new DatasetReadOptions { Validation = new() { CountTokens = CountWords, MaxSeqLength = 16, Epochs = 2 } };

        var report = DatasetReader.Read(path, options).Report;

        Assert.Equal(new TokenStatistics(2, 12.0, 30), report.TokensPerExample);
        Assert.Equal(2, report.TruncatedExampleCount);
        Assert.Equal(2 + 4 + 6 + 8 + 10 + 12 + 14 + 16 + 16 + 16, report.TokensPerEpoch);
        Assert.Equal(report.TokensPerEpoch * 2, report.TotalTrainingTokens);
        var warning = Assert.Single(report.Warnings);
        Assert.Equal(IssueCodes.ExamplesTruncated, warning.Code);
        Assert.Equal(10, warning.Location!.Line);
        Assert.StartsWith("2 example(s) are longer than 16 tokens", warning.Message);
    }

    [Fact]
    public void Read_CountsContentOfEveryMessage_WhenExampleIsChat()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(10));
        var options = new DatasetReadOptions { Validation = new() { CountTokens = CountWords } };

        var report = DatasetReader.Read(path, options).Report;

        Assert.Equal(new TokenStatistics(4, 4.0, 4), report.TokensPerExample); // "question i" + "answer i"
        Assert.Null(report.TruncatedExampleCount);
        Assert.Equal(40 * 3, report.TotalTrainingTokens);
    }

    [Fact]
    public void Read_LeavesTokenFiguresOut_WhenNoTokenCounterIsGiven()
    {
        var report = DatasetReader.Read(WriteTexts(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).Report;

        Assert.Null(report.TokensPerExample);
        Assert.Null(report.TotalTrainingTokens);
        Assert.Contains("Tokens: not counted", report.ToText());
    }

    [Fact]
    public void ToJson_UsesSnakeCaseKeys_WhenSerializingTheReport()
    {
        var path = _folder.WriteLines("data.jsonl", [.. Lines.ValidChats(3), "{x"]);
        var options = new DatasetReadOptions { Validation = new() { CountTokens = CountWords, MaxSeqLength = 3 } };

        using var json = JsonDocument.Parse(DatasetReader.Read(path, options).Report.ToJson());
        var root = json.RootElement;

        Assert.False(root.GetProperty("is_valid").GetBoolean());
        Assert.Equal(3, root.GetProperty("n_examples").GetInt32());
        Assert.Equal(3, root.GetProperty("n_truncated").GetInt32());
        Assert.Equal(4, root.GetProperty("tokens_per_example").GetProperty("max").GetInt32());
        Assert.Equal(3, root.GetProperty("example_kinds").GetProperty("chat").GetInt32());
        Assert.Equal(27, root.GetProperty("total_training_tokens").GetInt64());
        var first = root.GetProperty("errors")[0];
        Assert.Equal("invalid_json", first.GetProperty("code").GetString());
        Assert.Equal(4, first.GetProperty("line").GetInt32());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Equal("invalid_n_examples", root.GetProperty("errors")[1].GetProperty("code").GetString());
    }

    [Fact]
    public void ToText_ListsCountsIssuesAndVerdict_WhenDataIsInvalid()
    {
        var path = _folder.WriteLines("data.jsonl", [.. Lines.ValidChats(10), """{"messages":[{"role":"bot","content":"a"}]}"""]);
        var options = new DatasetReadOptions { Validation = new() { CountTokens = CountWords, MaxSeqLength = 1024 } };

        var text = DatasetReader.Read(path, options).Report.ToText();

        Assert.Contains("Training examples: 10 (10 chat)", text);
        Assert.Contains("Tokens per example: min 4, mean 4.0, max 4", text);
        Assert.Contains("Truncated at 1024 tokens: 0 examples", text);
        Assert.Contains("Total training tokens: 120 (40 per epoch x 3 epochs)", text);
        Assert.Contains("  data.jsonl line 11: message 1 has unknown role \"bot\"; use \"system\", \"user\" or \"assistant\" [unrecognized_role]", text);
        Assert.Contains("Result: INVALID, 1 error.", text);
    }
}
