using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

public sealed class ContentValidationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ValidationReport ReadWithLine(int lineNumber, string line)
    {
        var lines = Lines.ValidChats(12).ToList();
        lines.Insert(lineNumber - 1, line);
        return DatasetReader.Read(_folder.WriteLines("data.jsonl", lines.ToArray())).Report;
    }

    [Fact]
    public void Read_ReportsMissingAssistantMessage_WhenChatHasOnlyUserAndSystem()
    {
        var report = ReadWithLine(3, """{"messages":[{"role":"system","content":"Tech"},{"role":"user","content":"Frigo chaud"}]}""");

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.MissingAssistantMessage, error.Code);
        Assert.Equal("data.jsonl line 3: example 3 has no assistant message; add {\"role\": \"assistant\", \"content\": \"...\"} with the expected answer", error.ToString());
    }

    [Fact]
    public void Read_ReportsInvalidWeight_WhenAssistantWeightIsTwo()
    {
        var report = ReadWithLine(2, """{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","weight":2}]}""");

        Assert.Equal(IssueCodes.InvalidWeight, Assert.Single(report.Errors).Code);
    }

    [Fact]
    public void Read_ReportsInvalidWeight_WhenUserMessageHasAWeight()
    {
        var report = ReadWithLine(2, """{"messages":[{"role":"user","content":"a","weight":1},{"role":"assistant","content":"b"}]}""");

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.InvalidWeight, error.Code);
        Assert.Contains("only assistant messages", error.Message);
    }

    [Fact]
    public void Read_ReportsAllWeightsZero_WhenNoAssistantMessageIsTrained()
    {
        var report = ReadWithLine(2,
            """{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","weight":0},{"role":"user","content":"c"},{"role":"assistant","content":"d","weight":0}]}""");

        Assert.Equal(IssueCodes.AllWeightsZero, Assert.Single(report.Errors).Code);
    }

    [Fact]
    public void Read_AcceptsWeightZero_WhenAnotherAssistantMessageIsTrained()
    {
        var report = ReadWithLine(2,
            """{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","weight":0},{"role":"user","content":"c"},{"role":"assistant","content":"d","weight":1}]}""");

        Assert.True(report.IsValid, report.ToText());
    }

    [Fact]
    public void Read_ReportsMissingContent_WhenAssistantContentIsBlank()
    {
        var report = ReadWithLine(2, """{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"  "}]}""");

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.MissingContent, error.Code);
        Assert.Contains("message 2 (assistant) has empty content", error.Message);
    }

    [Fact]
    public void Read_ReportsEmptyText_WhenTextIsWhitespace()
    {
        var report = ReadWithLine(5, """{"text":"   "}""");

        Assert.Contains(report.Errors, e => e.Code == IssueCodes.EmptyText && e.ToString() == "data.jsonl line 5: empty text; write the example or remove the row");
    }

    [Fact]
    public void Read_ReportsEmptyCompletionAndWarnsEmptyPrompt_WhenBothAreEmpty()
    {
        var report = ReadWithLine(2, """{"prompt":"","completion":""}""");

        Assert.Equal(IssueCodes.EmptyCompletion, Assert.Single(report.Errors).Code);
        Assert.Contains(report.Warnings, w => w.Code == IssueCodes.EmptyPrompt);
    }

    [Fact]
    public void Read_ReportsTooFewExamples_WhenFileHasThree()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(3));

        var report = DatasetReader.Read(path).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.InvalidNExamples, error.Code);
        Assert.StartsWith("3 examples, at least 10 required", error.ToString());
    }

    [Fact]
    public void Read_UsesConfiguredMinimum_WhenMinExamplesIsSet()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(3));

        var report = DatasetReader.Read(path, new DatasetReadOptions { Validation = new() { MinExamples = 3 } }).Report;

        Assert.True(report.IsValid, report.ToText());
    }

    [Fact]
    public void Read_WarnsAboutMixedFormats_WhenOneFileMixesChatAndText()
    {
        var report = ReadWithLine(4, Lines.Text("Note: joint de porte usé."));

        Assert.True(report.IsValid);
        var warning = Assert.Single(report.Warnings);
        Assert.Equal(IssueCodes.MixedFormats, warning.Code);
        Assert.Equal(4, warning.Location!.Line);
    }

    [Fact]
    public void Read_WarnsAboutDuplicates_WhenTheSameExampleAppearsTwice()
    {
        var report = ReadWithLine(9, Lines.Chat("question 2", "answer 2"));

        var warning = Assert.Single(report.Warnings);
        Assert.Equal(IssueCodes.DuplicateExample, warning.Code);
        Assert.Contains("duplicate of data.jsonl line 2", warning.Message);
    }

    [Fact]
    public void Read_ReportsEveryProblemInOnePass_WhenManyLinesAreBad()
    {
        var lines = Lines.ValidChats(12).ToList();
        lines.Insert(1, "{oops");
        lines.Insert(4, """{"messages":[{"role":"bot","content":"a"},{"role":"user","content":"b"}]}""");
        lines.Insert(7, """{"text":""}""");
        var report = DatasetReader.Read(_folder.WriteLines("data.jsonl", lines.ToArray())).Report;

        Assert.Equal([IssueCodes.InvalidJson, IssueCodes.UnrecognizedRole, IssueCodes.EmptyText], report.Errors.Select(e => e.Code));
        Assert.Equal([2, 5, 8], report.Errors.Select(e => e.Location!.Line!.Value));
    }

    [Fact]
    public void Read_ShowsAtMostTheMaximumAndCountsTheRest_WhenThereAreManyErrors()
    {
        var lines = Lines.ValidChats(12).Concat(Enumerable.Repeat("not json", 60)).ToArray();

        var report = DatasetReader.Read(_folder.WriteLines("data.jsonl", lines)).Report;

        Assert.Equal(60, report.ErrorCount);
        Assert.Equal(50, report.Errors.Count);
        Assert.Equal(10, report.ErrorsNotShown);
        Assert.Contains("... 10 more not shown", report.ToText());
    }

    [Fact]
    public void Validate_ChecksExamplesBuiltInCode_WhenCalledDirectly()
    {
        var source = new SourceLocation("upload", ExampleNumber: 1);
        var examples = new[]
        {
            TrainingExample.FromMessages([new(ChatRole.User, "Frigo chaud")], source),
            TrainingExample.FromText("Vérifier le condenseur.", source with { ExampleNumber = 2 }),
        };

        var report = DatasetValidator.Validate(examples, new ValidationOptions { MinExamples = 1 });

        Assert.Contains(report.Errors, e => e.Code == IssueCodes.MissingAssistantMessage);
        Assert.Contains(report.Warnings, w => w.Code == IssueCodes.MixedFormats);
    }
}
