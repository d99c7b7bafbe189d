using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.Tests;

public sealed class RegexTranslationTests
{
    [Theory]
    [InlineData(@"\p{L}++", @"(?>\p{L}+)")]
    [InlineData(@"[^\r\n\p{L}]?+\p{L}+", @"(?>[^\r\n\p{L}]?)\p{L}+")]
    [InlineData(@"\s+(?!\S)|\s+", @"\s+(?!\S)|\s+")]
    public void ToDotNet_RewritesPossessiveQuantifiers_WhenPatternUsesThem(string onig, string expected) =>
        Assert.Equal(expected, OnigurumaSyntax.ToDotNet(onig));

    [Fact]
    public void Matches_TreatsSupplementaryLettersAsLetters_WhenTextHasSurrogatePairs()
    {
        var regex = new UnicodeRegex(@"[^\r\n\p{L}\p{N}]?\p{L}+|[^\s\p{L}\p{N}]+", true);
        var matches = new List<(int Start, int Length)>();
        regex.Matches("😀abc 𝐀𝐁", matches);
        // The emoji joins the following word (as Oniguruma does), and the math letters form one word.
        Assert.Equal([(0, 5), (5, 5)], matches);
    }
}
