using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

/// <summary>Preference pairs (DPO) in OpenAI's, TRL's and CSV formats, and every malformation located by line and field.</summary>
public sealed class PreferenceDataTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string OpenAi(int i, string chosen = "Check the compressor.", string rejected = "Buy a new fridge.") =>
        $$"""{"input":{"messages":[{"role":"system","content":"Fridge technician."},{"role":"user","content":"It hums {{i}}."}],"tools":[]},"preferred_output":[{"role":"assistant","content":"{{chosen}}"}],"non_preferred_output":[{"role":"assistant","content":"{{rejected}}"}]}""";

    private static string Trl(int i) => $$"""{"prompt":"It hums {{i}}.","chosen":" Check the compressor.","rejected":" Buy a new fridge."}""";

    private static IEnumerable<string> Valid(int count) => Enumerable.Range(1, count).Select(i => OpenAi(i));

    /// <summary>The 12 valid OpenAI lines with <paramref name="bad"/> inserted as line <paramref name="line"/>.</summary>
    private PreferenceReadResult ReadWith(int line, string bad)
    {
        var lines = Valid(12).ToList();
        lines.Insert(line - 1, bad);
        return PreferenceReader.Read(_folder.WriteLines("prefs.jsonl", lines.ToArray()));
    }

    private static DataIssue SingleError(ValidationReport report, string code)
    {
        Assert.False(report.IsValid);
        var error = Assert.Single(report.Errors);
        Assert.Equal(code, error.Code);
        return error;
    }

    [Fact]
    public void OpenAiFormat_ReadsPromptMessagesAndBothAnswers()
    {
        var result = PreferenceReader.Read(_folder.WriteLines("prefs.jsonl", Valid(12).ToArray()));
        Assert.True(result.Report.IsValid, string.Join("\n", result.Report.Errors));
        Assert.Equal(12, result.Examples.Count);
        var first = result.Examples[0];
        Assert.True(first.IsConversational);
        Assert.Equal([ChatRole.System, ChatRole.User], first.PromptMessages!.Select(m => m.Role));
        Assert.Equal("It hums 1.", first.PromptMessages[1].Content);
        Assert.Equal("Check the compressor.", first.Chosen);
        Assert.Equal("Buy a new fridge.", first.Rejected);
        Assert.Equal(1, first.Source.Line);
        Assert.Equal(12, result.Report.ChatExampleCount);
    }

    [Fact]
    public void TrlFormat_ReadsStringsAndConversations()
    {
        var conversational = """{"prompt":[{"role":"user","content":"It hums."}],"chosen":[{"role":"assistant","content":"Check it."}],"rejected":[{"role":"assistant","content":"No idea."}]}""";
        var lines = Enumerable.Range(1, 11).Select(Trl).Append(conversational).ToArray();
        var result = PreferenceReader.Read(_folder.WriteLines("trl.jsonl", lines));
        Assert.True(result.Report.IsValid, string.Join("\n", result.Report.Errors));
        Assert.Equal("It hums 1.", result.Examples[0].PromptText);
        Assert.Equal(" Check the compressor.", result.Examples[0].Chosen);
        Assert.False(result.Examples[0].IsConversational);
        var last = result.Examples[^1];
        Assert.True(last.IsConversational);
        Assert.Equal("Check it.", last.Chosen);
        Assert.Equal("No idea.", last.Rejected);
        Assert.Equal(11, result.Report.PromptCompletionExampleCount);
    }

    [Fact]
    public void Csv_ReadsPromptChosenRejected_InAnyColumnOrder_WithQuotedMultilineCells()
    {
        var rows = Enumerable.Range(1, 11).Select(i => $"\"Check {i}\",\"It hums {i}, loudly.\",\"Buy one\"");
        var path = _folder.Write("prefs.csv", "chosen,prompt,rejected\n" + string.Join("\n", rows) + "\n\"Line one\nline two\",\"Q\",\"No\"\n");
        var result = PreferenceReader.Read(path);
        Assert.True(result.Report.IsValid, string.Join("\n", result.Report.Errors));
        Assert.Equal(12, result.Examples.Count);
        Assert.Equal("It hums 1, loudly.", result.Examples[0].PromptText);
        Assert.Equal("Check 1", result.Examples[0].Chosen);
        Assert.Equal(2, result.Examples[0].Source.Row);
        Assert.Equal("Line one\nline two", result.Examples[^1].Chosen);
    }

    [Fact]
    public void Csv_MissingColumn_NamesIt()
    {
        var path = _folder.Write("prefs.csv", "prompt,chosen\n\"q\",\"a\"\n");
        var error = SingleError(PreferenceReader.Read(path).Report, IssueCodes.CsvMissingColumns);
        Assert.Contains("\"rejected\"", error.Message);
        Assert.Equal(1, error.Location!.Row);
    }

    [Fact]
    public void Csv_EmptyRejectedCell_IsLocatedByRow()
    {
        var rows = Enumerable.Range(1, 12).Select(i => i == 5 ? "\"q\",\"a\",\"\"" : $"\"q{i}\",\"a\",\"b\"");
        var path = _folder.Write("prefs.csv", "prompt,chosen,rejected\n" + string.Join("\n", rows) + "\n");
        var error = SingleError(PreferenceReader.Read(path).Report, IssueCodes.EmptyRejected);
        Assert.Equal("prefs.csv row 6", error.Location!.ToString());
    }

    [Theory]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.MissingChosen, "preferred_output")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"}]}""", IssueCodes.MissingRejected, "non_preferred_output")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.EmptyChosen, "preferred_output")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"  "}],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.EmptyChosen, "chosen")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":""}]}""", IssueCodes.EmptyRejected, "rejected")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"Same."}],"non_preferred_output":[{"role":"assistant","content":"Same. "}]}""", IssueCodes.ChosenEqualsRejected, "identical")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"user","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.InvalidOutputRole, "\"user\"")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"content":"b"}]}""", IssueCodes.InvalidOutputRole, "missing")]
    [InlineData("""{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"},{"role":"assistant","content":"c"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.InvalidOutput, "2 messages")]
    [InlineData("""{"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.MissingInput, "\"input\"")]
    [InlineData("""{"input":{"prompt":"q"},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.MissingMessagesList, "\"messages\"")]
    [InlineData("""{"input":{"messages":[{"role":"robot","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}""", IssueCodes.UnrecognizedRole, "robot")]
    [InlineData("""{"chosen":"a","rejected":"b"}""", IssueCodes.MissingPrompt, "\"prompt\"")]
    [InlineData("""{"prompt":"q","chosen":"a"}""", IssueCodes.MissingRejected, "\"rejected\"")]
    [InlineData("""{"prompt":"q","chosen":"","rejected":"b"}""", IssueCodes.EmptyChosen, "chosen")]
    [InlineData("""{"prompt":"q","chosen":"a","rejected":"a"}""", IssueCodes.ChosenEqualsRejected, "identical")]
    [InlineData("""{"prompt":"q","chosen":[{"role":"system","content":"a"}],"rejected":"b"}""", IssueCodes.InvalidOutputRole, "\"system\"")]
    [InlineData("""{"prompt":" ","chosen":"a","rejected":"b"}""", IssueCodes.EmptyPrompt, "prompt")]
    [InlineData("""{"prompt":"q","chosen":42,"rejected":"b"}""", IssueCodes.InvalidOutput, "a number")]
    [InlineData("""{"messages":[{"role":"user","content":"q"}]}""", IssueCodes.UnrecognizedExampleFormat, "preferred_output")]
    [InlineData("""{"prompt": "q", """, IssueCodes.InvalidJson, "invalid JSON")]
    public void Malformed_IsReportedWithItsLineAndCode(string bad, string code, string mentioned)
    {
        var result = ReadWith(4, bad);
        var error = SingleError(result.Report, code);
        Assert.Equal("prefs.jsonl line 4", error.Location!.ToString());
        Assert.Contains(mentioned, error.Message);
    }

    [Fact]
    public void APromptThatFillsTheContext_IsAnError_AndALongPairAWarning_GivenATokenCounter()
    {
        var longPrompt = string.Join(" ", Enumerable.Repeat("word", 40));
        var lines = Valid(12).ToList();
        lines[2] = OpenAi(3).Replace("It hums 3.", longPrompt);
        lines[6] = OpenAi(7, chosen: string.Join(" ", Enumerable.Repeat("long", 27)));
        var options = new DatasetReadOptions
        {
            Validation = new ValidationOptions { CountTokens = text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, MaxSeqLength = 30 },
        };
        var report = PreferenceReader.Read(_folder.WriteLines("prefs.jsonl", lines.ToArray()), options).Report;
        var error = SingleError(report, IssueCodes.PromptTooLong);
        Assert.Equal(3, error.Location!.Line);
        Assert.Contains("max_seq_length 30", error.Message);
        var warning = Assert.Single(report.Warnings, w => w.Code == IssueCodes.ExamplesTruncated);
        Assert.Equal(7, warning.Location!.Line);
        Assert.NotNull(report.TokensPerExample);
        Assert.Equal(2, report.TruncatedExampleCount);
    }

    [Fact]
    public void TooFewPairs_AndASplitThatHoldsOut_AreReportedLikeSupervisedData()
    {
        var few = PreferenceReader.Read(_folder.WriteLines("few.jsonl", Valid(3).ToArray())).Report;
        Assert.Equal(IssueCodes.InvalidNExamples, SingleError(few, IssueCodes.InvalidNExamples).Code);

        var split = PreferenceReader.Read(_folder.WriteLines("many.jsonl", Valid(20).ToArray()), new DatasetReadOptions { ValidationSplit = 0.2 });
        Assert.True(split.Report.IsValid);
        Assert.Equal(16, split.Examples.Count);
        Assert.Equal(4, split.ValidationExamples.Count);
    }

    [Fact]
    public void AFolder_MixesFormats_AndAMissingFileIsNamed()
    {
        _folder.WriteLines("a.jsonl", Valid(6).ToArray());
        _folder.Write("b.csv", "prompt,chosen,rejected\n" + string.Join("\n", Enumerable.Range(1, 6).Select(i => $"q{i},a,b")) + "\n");
        var both = PreferenceReader.Read(_folder.Path);
        Assert.True(both.Report.IsValid, string.Join("\n", both.Report.Errors));
        Assert.Equal(12, both.Examples.Count);
        SingleError(PreferenceReader.Read(Path.Combine(_folder.Path, "nope.jsonl")).Report, IssueCodes.FileNotFound);
    }
}
