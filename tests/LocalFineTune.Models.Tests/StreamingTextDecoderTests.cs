using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Models.Tests;

public class StreamingTextDecoderTests
{
    private static readonly Lazy<Tokenizer> Gpt2 = new(() => Tokenizer.FromFolder(RepoPaths.Gpt2Tokenizer));

    [Fact]
    public void Push_EmitsOnlyCompleteCharacters_WhenTokensSplitUtf8()
    {
        const string text = "Température 😀 中文 ok";
        var decoder = new StreamingTextDecoder(Gpt2.Value, []);

        var pieces = Gpt2.Value.Encode(text).Select(decoder.Push).Append(decoder.Flush()).ToList();

        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void Push_HoldsBackPossibleStopStringStart_AndCutsAtIt()
    {
        var decoder = new StreamingTextDecoder(Gpt2.Value, ["###"]);
        var pieces = new List<string>();

        foreach (var id in Gpt2.Value.Encode("a # b ## c ### d")) pieces.Add(decoder.Push(id));

        Assert.True(decoder.StopStringFound);
        Assert.Equal("a # b ## c ", decoder.Text);
        Assert.Equal(decoder.Text, string.Concat(pieces) + decoder.Flush());
        Assert.DoesNotContain(pieces, p => p.Contains("###"));
    }
}
