using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

public sealed class CsvReadingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly DatasetReadOptions AnyCount = new() { Validation = new() { MinExamples = 1 } };

    private static IEnumerable<string> Rows(int n, char delimiter = ',') =>
        Enumerable.Range(1, n).Select(i => $"question {i}{delimiter}answer {i}");

    [Fact]
    public void Read_HandlesQuotingMultilineCellsAndDoubledQuotes_WhenCellsAreQuoted()
    {
        var path = _folder.Write("data.csv",
            "prompt,completion\n" +
            "\"Frigo fait bruit fort, surtout la nuit\",\"Vérifiez le compresseur,\nle ventilateur et le givre.\"\n" +
            "\"Code \"\"E1\"\" affiché\",Vérifiez la sonde de température.\n");

        var result = DatasetReader.Read(path, AnyCount);

        Assert.True(result.Report.IsValid, result.Report.ToText());
        Assert.Equal("Frigo fait bruit fort, surtout la nuit", result.Examples[0].Prompt);
        Assert.Equal("Vérifiez le compresseur,\nle ventilateur et le givre.", result.Examples[0].Completion);
        Assert.Equal("Code \"E1\" affiché", result.Examples[1].Prompt);
        Assert.Equal((3, 4), (result.Examples[1].Source.Row!.Value, result.Examples[1].Source.Line!.Value));
    }

    [Fact]
    public void Read_DetectsSemicolonAndSkipsBom_WhenFileComesFromFrenchExcel()
    {
        var body = "\uFEFF Prompt ; COMPLETION \r\n" + string.Join("\r\n", Rows(10, ';')) + "\r\n";
        var path = _folder.Write("data.csv", body);

        var result = DatasetReader.Read(path);

        Assert.True(result.Report.IsValid, result.Report.ToText());
        Assert.Equal(10, result.Examples.Count);
        Assert.All(result.Examples, e => Assert.Equal(ExampleKind.PromptCompletion, e.Kind));
        Assert.Equal("answer 10", result.Examples[9].Completion);
    }

    [Fact]
    public void Read_UsesTheDelimiterOverride_WhenGiven()
    {
        // Forcing ';' on a one-column file: the row with a ';' now has two cells, the row with only commas has one.
        var path = _folder.Write("data.csv", "text\nGivre, beaucoup; porte mal fermée\nJoint usé, remplacer\n");

        var result = DatasetReader.Read(path, AnyCount with { CsvDelimiter = ';' });

        Assert.Equal(IssueCodes.CsvWrongColumnCount, Assert.Single(result.Report.Errors).Code);
        Assert.Equal("Joint usé, remplacer", result.Examples.Single().Text);
    }

    [Fact]
    public void Read_ReadsTextColumn_WhenHeaderIsText()
    {
        var path = _folder.Write("data.csv", "text\n\"Frigo très froid, compresseur fait bruit\"\nFuite d'eau sous le frigo\n");

        var result = DatasetReader.Read(path, AnyCount);

        Assert.Equal(["Frigo très froid, compresseur fait bruit", "Fuite d'eau sous le frigo"], result.Examples.Select(e => e.Text));
    }

    [Fact]
    public void Read_NumbersRowsLikeASpreadsheet_WhenBlankLinesAreSkipped()
    {
        var path = _folder.Write("data.csv", "text\nun\n\ndeux\n\"   \"\ntrois\n");

        var result = DatasetReader.Read(path, AnyCount);

        var error = Assert.Single(result.Report.Errors);
        Assert.Equal(IssueCodes.EmptyText, error.Code);
        Assert.Equal("data.csv row 5: empty text; write the example or remove the row", error.ToString());
        Assert.Equal(3, result.Examples.Count(e => !string.IsNullOrWhiteSpace(e.Text)));
    }

    [Fact]
    public void Read_SkipsRowsOfEmptyCells_WhenSpreadsheetExportedTrailingDelimiters()
    {
        var path = _folder.Write("data.csv", "prompt,completion\na,b\n,\n,\n");

        var result = DatasetReader.Read(path, AnyCount);

        Assert.True(result.Report.IsValid, result.Report.ToText());
        Assert.Single(result.Examples);
    }

    [Fact]
    public void Read_NamesFoundAndExpectedColumns_WhenRequiredColumnsAreMissing()
    {
        var path = _folder.Write("data.csv", "question,answer\na,b\n");

        var error = Assert.Single(DatasetReader.Read(path).Report.Errors);

        Assert.Equal(IssueCodes.CsvMissingColumns, error.Code);
        Assert.Contains("found columns \"question\", \"answer\"", error.Message);
        Assert.Contains("expected a \"text\" column, or \"prompt\" and \"completion\" columns", error.Message);
        Assert.Equal(1, error.Location!.Row);
    }

    [Fact]
    public void Read_NamesTheMissingColumn_WhenOnlyPromptIsPresent()
    {
        var path = _folder.Write("data.csv", "prompt,answer\na,b\n");

        var error = Assert.Single(DatasetReader.Read(path).Report.Errors);

        Assert.StartsWith("missing column \"completion\"", error.Message);
    }

    [Fact]
    public void Read_ReportsWrongColumnCount_WhenARowHasAnUnquotedComma()
    {
        var lines = new[] { "prompt,completion" }.Concat(Rows(10)).Append("Frigo bruyant,Vérifiez le compresseur, le ventilateur");

        var report = DatasetReader.Read(_folder.WriteLines("data.csv", lines.ToArray())).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.CsvWrongColumnCount, error.Code);
        Assert.Equal("data.csv row 12: 3 cells, but the header has 2; quote cells that contain the delimiter or a line break", error.ToString());
    }

    [Fact]
    public void Read_ReportsBadData_WhenAQuoteIsInsideAnUnquotedCell()
    {
        var lines = new[] { "prompt,completion" }.Concat(Rows(10)).Append("Code E1 \"clignote\",Vérifiez la sonde");

        var report = DatasetReader.Read(_folder.WriteLines("data.csv", lines.ToArray())).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.CsvBadData, error.Code);
        Assert.Equal(12, error.Location!.Row);
    }

    [Fact]
    public void Read_ReportsEmptyFile_WhenCsvIsEmptyOrHeaderOnly()
    {
        var empty = _folder.Write("empty.csv", "");
        var headerOnly = _folder.Write("header.csv", "prompt,completion\n");

        Assert.Equal(IssueCodes.EmptyFile, Assert.Single(DatasetReader.Read(empty).Report.Errors).Code);
        Assert.Equal(IssueCodes.EmptyFile, Assert.Single(DatasetReader.Read(headerOnly).Report.Errors).Code);
    }

    [Fact]
    public void Read_WarnsAboutIgnoredColumns_WhenExtraColumnsArePresent()
    {
        var path = _folder.Write("data.csv", "id,prompt,completion\n1,a,b\n");

        var report = DatasetReader.Read(path, AnyCount).Report;

        Assert.True(report.IsValid);
        Assert.Contains(report.Warnings, w => w.Code == IssueCodes.CsvIgnoredColumns && w.Message.Contains("\"id\""));
    }

    [Theory]
    [InlineData("a,b;c", ',')]
    [InlineData("a;b;c", ';')]
    [InlineData("\"a,b\";c", ';')]
    [InlineData("a\tb", '\t')]
    [InlineData("text", ',')]
    public void DetectInLine_PicksTheMostFrequentDelimiterOutsideQuotes_WhenGivenAHeader(string header, char expected)
    {
        Assert.Equal(expected, CsvDelimiterDetector.DetectInLine(header));
    }
}
