using System.Text;
using System.Text.Json;
using LocalFineTune.Tokenizers.Models;

namespace LocalFineTune.Tokenizers.Tests;

/// <summary>
/// Long words (no break the pre-tokenizer could cut at) must cost O(n log n), give exactly the ids of
/// the textbook merge, stop when cancelled, and be refused past the configured maximum length.
/// No timing asserts: a generous cancellation guard turns "would take hours" into a failure.
/// </summary>
public sealed class LongInputTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    /// <summary>ASCII letters of the golden corpus, repeated to length, optionally keeping single spaces.</summary>
    private static string CorpusText(int length, bool keepSpaces)
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenFiles.Dir("Golden"), "gpt2.json")));
        var source = string.Join(' ', golden.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("text").GetString()));
        var builder = new StringBuilder(length);
        while (builder.Length < length)
            foreach (var c in source)
            {
                if (builder.Length == length) break;
                if (char.IsAsciiLetter(c)) builder.Append(c);
                else if (keepSpaces && c == ' ' && builder.Length > 0 && builder[^1] != ' ') builder.Append(c);
            }
        return builder.ToString();
    }

    private static Tokenizer Load(string name) => Tokenizer.FromTokenizerJsonText(GoldenFiles.BaseTokenizerJson(name));

    /// <summary>The instance the golden tests use too (loading Llama-3 takes seconds); never change its settings.</summary>
    private static Tokenizer Shared(string name) => GoldenFiles.TokenizerFor(GoldenFiles.Read(name));

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama3")]
    public void Encode_MatchesTextbookMerge_WhenOneWordHas2000Letters(string name)
    {
        var word = CorpusText(2000, keepSpaces: false);
        var expected = new ReferenceBpe(GoldenFiles.BaseTokenizerJson(name)).Encode(word); // ASCII letters are their own byte chars
        using var guard = new CancellationTokenSource(Guard);
        Assert.Equal(expected, Shared(name).Encode(word, guard.Token));
    }

    [Fact]
    public void Encode_MatchesTextbookMerge_WhenLlama2StyleDocumentIsOneWord()
    {
        // No pre-tokenizer: Prepend "▁" and spaces → "▁" make the whole document one word.
        var document = CorpusText(2000, keepSpaces: true);
        var expected = new ReferenceBpe(GoldenFiles.BaseTokenizerJson("spm-llama2")).Encode("\u2581" + document.Replace(' ', '\u2581'));
        using var guard = new CancellationTokenSource(Guard);
        Assert.Equal(expected, Shared("spm-llama2").Encode(document, guard.Token));
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama3")]
    [InlineData("spm-llama2")]
    public void Encode_Completes_WhenOneWordHas200000Letters(string name)
    {
        // The old quadratic merge needed about three hours for this; the guard fails the test long before.
        var word = CorpusText(200_000, keepSpaces: false);
        var tokenizer = Shared(name);
        using var guard = new CancellationTokenSource(Guard);
        var ids = tokenizer.Encode(word, guard.Token);
        Assert.InRange(ids.Length, 20_000, 150_000);
        Assert.Equal(word, tokenizer.Decode(ids).TrimStart());
    }

    [Fact]
    public void Encode_ThrowsOperationCanceled_WhenCancelledDuringOneLongWord()
    {
        var tokenizer = Shared("gpt2");
        var word = CorpusText(2_000_000, keepSpaces: false); // about a second of merging: far longer than the delay below
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => tokenizer.Encode(word, cancel.Token));
    }

    [Fact]
    public void EncodeWord_ChecksCancellationInsideTheMergeLoop_WhenWordIsLong()
    {
        var model = BpeModel.FromJson(JsonDocument.Parse(GoldenFiles.BaseTokenizerJson("gpt2")).RootElement.GetProperty("model"));
        var word = CorpusText(50_000, keepSpaces: false);
        Assert.ThrowsAny<OperationCanceledException>(() => model.EncodeWord(word, byteLevel: true, new CancellationToken(canceled: true)));
        Assert.NotEmpty(model.EncodeWord(word, byteLevel: true, CancellationToken.None));
    }

    [Fact]
    public void Encode_WithToken_GivesSameIdsAsWithout_WhenNotCancelled()
    {
        var tokenizer = Shared("llama3");
        var text = CorpusText(5000, keepSpaces: true);
        Assert.Equal(tokenizer.Encode(text), tokenizer.Encode(text, CancellationToken.None));
        Assert.Equal(tokenizer.Encode(text, addSpecialTokens: true), tokenizer.Encode(text, addSpecialTokens: true, CancellationToken.None));
        Assert.Equal(tokenizer.CountTokens(text), tokenizer.CountTokens(text, CancellationToken.None));
        Assert.Equal(tokenizer.EncodeWithOffsets(text).Ids, tokenizer.EncodeWithOffsets(text, false, CancellationToken.None).Ids);
    }

    [Fact]
    public void Encode_ThrowsNamingTheLimit_WhenTextIsLongerThanMaxInputLength()
    {
        var tokenizer = Load("gpt2");
        tokenizer.MaxInputLength = 1000;
        Assert.NotEmpty(tokenizer.Encode(new string('a', 1000)));
        var error = Assert.Throws<TokenizerInputTooLongException>(() => tokenizer.Encode(new string('a', 1001)));
        Assert.Contains("1,001", error.Message);
        Assert.Contains("1,000", error.Message);
        Assert.Contains("MaxInputLength", error.Message);
        Assert.Equal((1001, 1000), (error.Length, error.Limit));
        Assert.Throws<TokenizerInputTooLongException>(() => tokenizer.CountTokens(new string('a', 1001)));
        Assert.Throws<TokenizerInputTooLongException>(() => tokenizer.EncodeWithOffsets(new string('a', 1001), false, CancellationToken.None));
    }

    [Fact]
    public void MaxInputLength_DefaultsToGenerousLimit_AndRejectsNonPositive()
    {
        var tokenizer = Load("gpt2");
        Assert.Equal(Tokenizer.DefaultMaxInputLength, tokenizer.MaxInputLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.MaxInputLength = 0);
    }
}
