using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

public sealed class JsonlStructureTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ValidationReport ReadWithLine(int lineNumber, string badLine)
    {
        var lines = Lines.ValidChats(12).ToList();
        lines.Insert(lineNumber - 1, badLine);
        var path = _folder.WriteLines("data.jsonl", lines.ToArray());
        return DatasetReader.Read(path).Report;
    }

    private static DataIssue SingleError(ValidationReport report, string code)
    {
        Assert.False(report.IsValid);
        var error = Assert.Single(report.Errors);
        Assert.Equal(code, error.Code);
        return error;
    }

    [Fact]
    public void Read_ParsesAllThreeShapes_WhenLinesAreValid()
    {
        var path = _folder.WriteLines("data.jsonl",
            Lines.Text("Compresseur bruyant: vérifier les silentblocs."),
            """{"prompt":"Frigo ne refroidit plus","completion":"Vérifiez le thermostat."}""",
            """{"messages":[{"role":"system","content":"Tech"},{"role":"user","content":"Givre"},{"role":"assistant","content":"Dégivrez.","weight":1}]}""");

        var result = DatasetReader.Read(path, new DatasetReadOptions { Validation = new() { MinExamples = 1 } });

        Assert.Equal([ExampleKind.Text, ExampleKind.PromptCompletion, ExampleKind.Chat], result.Examples.Select(e => e.Kind));
        Assert.Equal("Frigo ne refroidit plus", result.Examples[1].Prompt);
        Assert.Equal(new ChatMessage(ChatRole.Assistant, "Dégivrez.", 1), result.Examples[2].Messages![2]);
        Assert.Equal(3, result.Examples[2].Source.Line);
        Assert.Equal(3, result.Examples[2].Source.ExampleNumber);
    }

    [Fact]
    public void Read_SkipsBlankLinesAndToleratesBomAndCrlf_WhenFileComesFromWindows()
    {
        var body = string.Join("\r\n", Lines.ValidChats(10).Take(5)) + "\r\n\r\n   \r\n" + string.Join("\r\n", Lines.ValidChats(10).Skip(5)) + "\r\n";
        var path = _folder.WriteBytes("data.jsonl", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(body)]);

        var result = DatasetReader.Read(path);

        Assert.True(result.Report.IsValid, result.Report.ToText());
        Assert.Equal(10, result.Examples.Count);
        Assert.Equal(8, result.Examples[5].Source.Line);
    }

    [Fact]
    public void Read_ReportsInvalidJsonWithParserReason_WhenLineIsTruncated()
    {
        var error = SingleError(ReadWithLine(7, """{"text": "Frigo qui coule"""), IssueCodes.InvalidJson);

        Assert.StartsWith("data.jsonl line 7: invalid JSON (", error.ToString());
        Assert.Equal(7, error.Location!.Line);
    }

    [Fact]
    public void Read_ReportsInvalidJson_WhenLineHasTrailingComma()
    {
        var error = SingleError(ReadWithLine(2, """{"text": "a",}"""), IssueCodes.InvalidJson);
        Assert.Contains("at byte", error.Message);
    }

    [Fact]
    public void Read_ReportsNotAJsonObject_WhenLineIsAnArray()
    {
        var error = SingleError(ReadWithLine(3, """["Frigo", "bruit"]"""), IssueCodes.NotAJsonObject);
        Assert.Equal("data.jsonl line 3: not a JSON object (found an array); each line must be one {...} example", error.ToString());
    }

    [Fact]
    public void Read_ReportsUnrecognizedFormat_WhenObjectHasNoKnownKey()
    {
        var error = SingleError(ReadWithLine(4, """{"input":"a","output":"b"}"""), IssueCodes.UnrecognizedExampleFormat);
        Assert.Contains("found: \"input\", \"output\"", error.Message);
    }

    [Fact]
    public void Read_ReportsMissingCompletion_WhenPromptHasNoCompletion()
    {
        SingleError(ReadWithLine(2, """{"prompt":"Frigo chaud"}"""), IssueCodes.MissingCompletion);
    }

    [Fact]
    public void Read_ReportsMissingPrompt_WhenCompletionHasNoPrompt()
    {
        SingleError(ReadWithLine(2, """{"completion":"Vérifiez le joint."}"""), IssueCodes.MissingPrompt);
    }

    [Fact]
    public void Read_ReportsInvalidType_WhenTextIsANumber()
    {
        var error = SingleError(ReadWithLine(5, """{"text": 42}"""), IssueCodes.InvalidType);
        Assert.Contains("\"text\" must be a string, found a number", error.Message);
    }

    [Fact]
    public void Read_ReportsInvalidType_WhenMessageContentIsNotAString()
    {
        var error = SingleError(ReadWithLine(5,
            """{"messages":[{"role":"user","content":["a"]},{"role":"assistant","content":"b"}]}"""), IssueCodes.InvalidType);
        Assert.Contains("message 1 \"content\" must be a string, found an array", error.Message);
    }

    [Fact]
    public void Read_ReportsMissingMessagesList_WhenMessagesIsNotAnArray()
    {
        var error = SingleError(ReadWithLine(1, """{"messages": {"role":"user"}}"""), IssueCodes.MissingMessagesList);
        Assert.Contains("found an object", error.Message);
    }

    [Fact]
    public void Read_ReportsMissingMessagesList_WhenMessagesIsEmpty()
    {
        SingleError(ReadWithLine(1, """{"messages": []}"""), IssueCodes.MissingMessagesList);
    }

    [Fact]
    public void Read_ReportsMessageNotAnObject_WhenMessageIsAString()
    {
        SingleError(ReadWithLine(1, """{"messages": ["hello", {"role":"assistant","content":"b"}]}"""), IssueCodes.MessageNotAnObject);
    }

    [Fact]
    public void Read_ReportsBothMissingKeys_WhenMessagesLackRoleAndContent()
    {
        var report = ReadWithLine(2, """{"messages":[{"content":"a"},{"role":"assistant"}]}""");

        Assert.Equal(2, report.ErrorCount);
        Assert.All(report.Errors, e => Assert.Equal(IssueCodes.MessageMissingKey, e.Code));
        Assert.Contains("message 1 has no \"role\"", report.Errors[0].Message);
        Assert.Contains("message 2 has no \"content\"", report.Errors[1].Message);
    }

    [Fact]
    public void Read_ReportsUnrecognizedRole_WhenRoleIsBot()
    {
        var error = SingleError(ReadWithLine(12,
            """{"messages":[{"role":"user","content":"a"},{"role":"bot","content":"b"}]}"""), IssueCodes.UnrecognizedRole);
        Assert.StartsWith("data.jsonl line 12: message 2 has unknown role \"bot\"", error.ToString());
    }

    [Fact]
    public void Read_ReportsMissingContent_WhenContentIsNull()
    {
        SingleError(ReadWithLine(2, """{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":null}]}"""), IssueCodes.MissingContent);
    }

    [Fact]
    public void Read_ReportsInvalidWeight_WhenWeightIsNotAnInteger()
    {
        var error = SingleError(ReadWithLine(2,
            """{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","weight":0.5}]}"""), IssueCodes.InvalidWeight);
        Assert.Contains("weight 0.5", error.Message);
    }

    [Fact]
    public void Read_WarnsAboutIgnoredKeys_WhenExampleHasExtraKeys()
    {
        var report = ReadWithLine(2, """{"text":"a","id":7}""");

        Assert.True(report.IsValid);
        Assert.Contains(report.Warnings, w => w.Code == IssueCodes.UnrecognizedKey && w.Message.Contains("\"id\""));
    }

    [Fact]
    public void Read_WarnsAboutUnknownMessageKeys_WhenMessageHasExtraKeys()
    {
        var report = ReadWithLine(2, """{"messages":[{"role":"user","content":"a","lang":"fr"},{"role":"assistant","content":"b"}]}""");

        Assert.True(report.IsValid);
        Assert.Contains(report.Warnings, w => w.Code == IssueCodes.MessageUnrecognizedKey);
    }

    [Fact]
    public void Read_ReportsEmptyFile_WhenFileHasOnlyBlankLines()
    {
        var path = _folder.Write("data.jsonl", "\n  \n\n");

        var report = DatasetReader.Read(path).Report;

        Assert.Equal(IssueCodes.EmptyFile, Assert.Single(report.Errors).Code);
    }

    [Fact]
    public void Read_ReportsInvalidEncodingOnceWithFirstLine_WhenFileIsWindows1252()
    {
        var lines = Lines.ValidChats(12).Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        lines[3] = [.. "{\"text\":\"R"u8, 0xE9, .. "frig\u00e9rateur\"}"u8]; // 0xE9 = é in Windows-1252, invalid alone in UTF-8
        lines[5] = [.. "{\"text\":\"D"u8, 0xE9, .. "givrage\"}"u8];
        var path = _folder.WriteBytes("data.jsonl", lines.SelectMany(l => l.Append((byte)'\n')).ToArray());

        var error = SingleError(DatasetReader.Read(path).Report, IssueCodes.InvalidEncoding);

        Assert.Equal(4, error.Location!.Line);
        Assert.Contains("2 lines affected", error.Message);
    }
}
