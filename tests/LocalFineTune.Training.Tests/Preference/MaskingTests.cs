using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Torch;
using LocalFineTune.Training.Chat;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Preference;
using LocalFineTune.Training.Tests.Chat;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>Only the answer and its end of turn are scored; the prompt never is, in any format, even when truncated.</summary>
public class MaskingTests : IDisposable
{
    private const int Ignore = TokenizedSequence.IgnoreIndex;
    private static readonly SourceLocation Where = new("p.jsonl", Line: 3);
    private readonly ChatModelFolders _folders = new();

    public void Dispose() => _folders.Dispose();

    private static int[] Scored(TokenizedSequence s) => s.Labels.Where(l => l != Ignore).ToArray();

    [Fact]
    public void TextPrompt_ScoresTheAnswerAndEos_Only()
    {
        var tokenizer = Repo.Gpt2Tokenizer;
        var pairs = new PreferenceTokenizer(new ExampleTokenizer(tokenizer));
        var pair = pairs.Tokenize(PreferenceExample.FromText("The fridge hums.", " Check the compressor.", " Buy a new one.", Where), 0, 64);
        var eos = tokenizer.EosTokenId!.Value;
        Assert.Equal([.. tokenizer.Encode(" Check the compressor."), eos], Scored(pair.Chosen));
        Assert.Equal([.. tokenizer.Encode(" Buy a new one."), eos], Scored(pair.Rejected));
        var prompt = tokenizer.Encode("The fridge hums.");
        Assert.Equal(prompt, pair.Chosen.InputIds.Take(prompt.Length));
        Assert.All(pair.Chosen.Labels.Take(prompt.Length), l => Assert.Equal(Ignore, l));
    }

    [Fact]
    public void Conversation_WithoutTemplate_ScoresOnlyTheFinalAnswer_NotEarlierAssistantTurns()
    {
        var tokenizer = Repo.Gpt2Tokenizer;
        var pairs = new PreferenceTokenizer(new ExampleTokenizer(tokenizer));
        IReadOnlyList<ChatMessage> prompt =
        [
            new(ChatRole.System, "Fridge technician."), new(ChatRole.User, "It hums."),
            new(ChatRole.Assistant, "Since when?"), new(ChatRole.User, "Yesterday."),
        ];
        var pair = pairs.Tokenize(PreferenceExample.FromMessages(prompt, "Check the compressor.", "No idea.", Where), 0, 128);
        Assert.Equal([.. tokenizer.Encode("Check the compressor."), tokenizer.EosTokenId!.Value], Scored(pair.Chosen));
    }

    [Fact]
    public void Conversation_WithTheModelsTemplate_ScoresTheAnswerAndItsEndOfTurn()
    {
        var tokenizer = ChatModelFolders.Tokenizer("qwen3", null, "<|im_end|>");
        var template = ChatTemplateLocator.Find(_folders.TemplateFolder(ChatModelFolders.Template("chatml")), tokenizer);
        var pairs = new PreferenceTokenizer(new ExampleTokenizer(tokenizer, template));
        var pair = pairs.Tokenize(PreferenceExample.FromMessages([new(ChatRole.User, "It hums.")], "Check the compressor.", "No idea.", Where), 0, 128);
        Assert.Equal("Check the compressor.<|im_end|>", tokenizer.Decode(Scored(pair.Chosen), skipSpecialTokens: false));
        Assert.Equal("No idea.<|im_end|>", tokenizer.Decode(Scored(pair.Rejected), skipSpecialTokens: false));
    }

    [Fact]
    public void Truncation_KeepsTheAnswer_AndCutsThePromptsBeginning()
    {
        var tokenizer = Repo.Gpt2Tokenizer;
        var pairs = new PreferenceTokenizer(new ExampleTokenizer(tokenizer));
        var longPrompt = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"word{i}"));
        var example = PreferenceExample.FromText(longPrompt, " Check the compressor.", " No.", Where);
        var full = pairs.Tokenize(example, 0, 1024);
        var cut = pairs.Tokenize(example, 0, 16);
        Assert.True(cut.Truncated);
        Assert.Equal(16, cut.Chosen.Length);
        Assert.Equal(Scored(full.Chosen), Scored(cut.Chosen));
        Assert.Equal(full.Chosen.InputIds[^16..], cut.Chosen.InputIds); // the prompt's end, next to the answer, stays
        Assert.Equal(Scored(full.Rejected), Scored(cut.Rejected));
    }

    [Fact]
    public void AnAnswerLongerThanTheWindow_KeepsOnePromptToken_SoItsFirstTokenIsScored()
    {
        var sequence = new TokenizedSequence([1, 2, 3, 4, 5, 6, 7], [Ignore, Ignore, 3, 4, 5, 6, 7]);
        var cut = PreferenceTokenizer.KeepAnswer(sequence, 4, Where, out var truncated);
        Assert.True(truncated);
        Assert.Equal([2, 3, 4, 5], cut.InputIds);
        Assert.Equal([Ignore, 3, 4, 5], cut.Labels);
    }

    [Fact]
    public void LogProbs_HaveNoGradient_AtPositionsPredictingPromptTokensOrPadding()
    {
        using var scope = DisposeScope.Enter();
        const int vocab = 11;
        var labels = Tensor.FromArray(new long[] { Ignore, Ignore, Ignore, 4, 5, Ignore, /**/ Ignore, Ignore, 7, Ignore, Ignore, Ignore }, 2, 6);
        var logits = Tensor.FromSpan<float>(Enumerable.Range(0, 2 * 6 * vocab).Select(i => MathF.Sin(i)).ToArray(), [2, 6, vocab], Device.Cpu, requiresGrad: true);
        var logps = SequenceLogProbs.Summed(logits, labels);
        logps.Sum().Backward();
        var grad = logits.Grad!.ToArray<float>();
        bool RowHasGradient(int row, int t) => Enumerable.Range(0, vocab).Any(v => grad[(row * 6 + t) * vocab + v] != 0);
        // Position t predicts label t+1: row 0 scores labels 3 and 4 (from positions 2 and 3), row 1 label 2 (from position 1).
        Assert.Equal([false, false, true, true, false, false], Enumerable.Range(0, 6).Select(t => RowHasGradient(0, t)));
        Assert.Equal([false, true, false, false, false, false], Enumerable.Range(0, 6).Select(t => RowHasGradient(1, t)));
    }
}
