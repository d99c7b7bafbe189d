using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Tests;

/// <summary>
/// Issue 18, class 3 at the library level: an example over <see cref="ValidationOptions.MaxExampleCharacters"/> is an
/// error naming its line and the limit, and is never tokenized; a cancelled token stops reading and token counting.
/// </summary>
public sealed class HostileDataTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string LongWord(int letters) => new('x', letters);

    [Fact]
    public void Read_RefusesJsonlLinesOverTheLimit_NamingTheLineAndTheLimit_WithoutTokenizingThem()
    {
        var lines = Lines.ValidChats(12).ToList();
        lines.Insert(2, Lines.Chat(LongWord(100_000), "answer"));
        var counted = new List<int>();
        var options = new DatasetReadOptions
        {
            Validation = new ValidationOptions
            {
                CountTokens = text => { counted.Add(text.Length); return 1; },
                MaxExampleCharactersSetting = "LocalFineTune:Validation:MaxExampleCharacters",
            },
        };

        var report = DatasetReader.Read(_folder.WriteLines("data.jsonl", lines.ToArray()), options).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.ExampleTooLong, error.Code);
        Assert.Equal("data.jsonl line 3: example 3 is 100,083 characters long, over the limit of 100,000 characters per example " +
            "(LocalFineTune:Validation:MaxExampleCharacters); shorten it or split it into several examples", error.ToString());
        Assert.Equal(12, counted.Count);
        Assert.All(counted, length => Assert.True(length < 100, $"a {length}-character example was tokenized"));
    }

    [Fact]
    public void Read_RefusesEveryLongLine_AndCountsThemAll_WhenEachLineHoldsAHugeWord()
    {
        var lines = Enumerable.Range(1, 30).Select(i => Lines.Chat($"q{i} " + LongWord(2_000), "a")).ToArray();
        var options = new DatasetReadOptions { Validation = new ValidationOptions { MaxExampleCharacters = 1_000, MaxIssuesShown = 5 } };

        var report = DatasetReader.Read(_folder.WriteLines("words.jsonl", lines), options).Report;

        Assert.Equal(30, report.ErrorCount); // each line (no "0 examples" on top: the errors already say why)
        Assert.Equal(0, report.ExampleCount);
        Assert.Equal("words.jsonl line 1", report.Errors[0].Location!.ToString());
        Assert.Contains("limit of 1,000 characters per example", report.Errors[0].Message);
    }

    [Fact]
    public void Read_RefusesCsvRowsOverTheLimit_NamingTheRow()
    {
        var rows = Enumerable.Range(1, 12).Select(i => $"\"note {i}\"").ToList();
        rows.Insert(4, "\"" + LongWord(600) + "\"");
        var options = new DatasetReadOptions { Validation = new ValidationOptions { MaxExampleCharacters = 500 } };

        var report = DatasetReader.Read(_folder.WriteLines("data.csv", ["text", .. rows]), options).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.ExampleTooLong, error.Code);
        Assert.StartsWith("data.csv row 6: example 5 is 602 characters long, over the limit of 500", error.ToString());
    }

    [Fact]
    public void PreferenceRead_RefusesLinesOverTheLimit_NamingTheLine()
    {
        var pairs = Enumerable.Range(1, 12).Select(i => $$"""{"prompt":"p{{i}}","chosen":"good {{i}}","rejected":"bad {{i}}"}""").ToList();
        pairs.Add($$"""{"prompt":"{{LongWord(300)}}","chosen":"good","rejected":"bad"}""");
        var options = new DatasetReadOptions { Validation = new ValidationOptions { MaxExampleCharacters = 200 } };

        var report = PreferenceReader.Read(_folder.WriteLines("pairs.jsonl", pairs.ToArray()), options).Report;

        var error = Assert.Single(report.Errors);
        Assert.Equal(IssueCodes.ExampleTooLong, error.Code);
        Assert.StartsWith("pairs.jsonl line 13: example 13 is", error.ToString());
    }

    [Fact]
    public void Read_Throws_WhenTheTokenIsAlreadyCancelled()
    {
        var path = _folder.WriteLines("data.jsonl", Lines.ValidChats(12));
        var options = new DatasetReadOptions { Validation = new ValidationOptions { CancellationToken = new CancellationToken(canceled: true) } };

        Assert.ThrowsAny<OperationCanceledException>(() => DatasetReader.Read(path, options));
        Assert.ThrowsAny<OperationCanceledException>(() => PreferenceReader.Read(path, options));
    }

    [Fact]
    public void Read_StopsCountingTokens_AtTheNextExample_WhenCancelledMeanwhile()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var options = new DatasetReadOptions
        {
            Validation = new ValidationOptions
            {
                CancellationToken = cts.Token,
                // The third count cancels, as a job's cancel arriving while one example is being tokenized would.
                CountTokens = _ => { if (++calls == 3) cts.Cancel(); return 1; },
            },
        };

        Assert.ThrowsAny<OperationCanceledException>(() => DatasetReader.Read(_folder.WriteLines("data.jsonl", Lines.ValidChats(40)), options));
        Assert.Equal(3, calls);
    }

    [Fact]
    public void Read_AcceptsAnExampleOfExactlyTheLimit()
    {
        var lines = Lines.ValidChats(12).ToList();
        lines.Add(Lines.Text(LongWord(500 - """{"text":""}""".Length)));
        var options = new DatasetReadOptions { Validation = new ValidationOptions { MaxExampleCharacters = 500 } };

        var report = DatasetReader.Read(_folder.WriteLines("data.jsonl", lines.ToArray()), options).Report;

        Assert.True(report.IsValid, report.ToText());
        Assert.Equal(13, report.ExampleCount);
    }
}
