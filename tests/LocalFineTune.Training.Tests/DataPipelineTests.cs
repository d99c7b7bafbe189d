using LocalFineTune.Datasets.Model;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Tests;

public class DataPipelineTests
{
    private const int Eos = 50256;
    private static readonly SourceLocation Here = new("test.jsonl", Line: 1);
    private readonly ExampleTokenizer _tokenizer = new(Repo.Gpt2Tokenizer);

    [Fact]
    public void PromptCompletion_TrainsOnlyCompletionAndEos_WhenTokenized()
    {
        var seq = _tokenizer.TokenizePromptCompletion("Frigo fait bruit fort", "Vérifiez le compresseur.");
        var promptIds = Repo.Gpt2Tokenizer.Encode("Frigo fait bruit fort\n");
        var completionIds = Repo.Gpt2Tokenizer.Encode("Vérifiez le compresseur.");
        Assert.Equal([.. promptIds, .. completionIds, Eos], seq.InputIds);
        Assert.All(seq.Labels.Take(promptIds.Length), l => Assert.Equal(-100, l));
        Assert.Equal([.. completionIds, Eos], seq.Labels.Skip(promptIds.Length));
    }

    [Fact]
    public void Chat_TrainsOnlyWeightedAssistantTurns_WhenTokenized()
    {
        var seq = _tokenizer.TokenizeChat(
        [
            new ChatMessage(ChatRole.System, "Sys"), new ChatMessage(ChatRole.User, "Q1"),
            new ChatMessage(ChatRole.Assistant, "A1", Weight: 0), new ChatMessage(ChatRole.User, "Q2"),
            new ChatMessage(ChatRole.Assistant, "A2"),
        ]);
        var trained = seq.Labels.Where(l => l != -100).ToArray();
        Assert.Equal([.. Repo.Gpt2Tokenizer.Encode("A2"), Eos], trained);
        Assert.Equal(Eos, seq.InputIds[^1]);
        var text = Repo.Gpt2Tokenizer.Decode(seq.InputIds.Select(i => i));
        Assert.Equal("<|system|>\nSys\n<|user|>\nQ1\n<|assistant|>\nA1<|endoftext|>\n<|user|>\nQ2\n<|assistant|>\nA2<|endoftext|>", text);
    }

    [Fact]
    public void Text_IsPackedIntoFullWindows_WithEosBetweenExamples()
    {
        var examples = Enumerable.Range(0, 10).Select(i => TrainingExample.FromText($"Note {i}: compresseur remplacé.", Here)).ToList();
        var data = SequenceBuilder.Build(examples, _tokenizer, maxSeqLength: 16);
        var total = examples.Sum(e => _tokenizer.TokenizeText(e.Text!).Length);
        Assert.All(data.Sequences.SkipLast(1), s => Assert.Equal(16, s.Length));
        Assert.Equal(total, data.Sequences.Sum(s => s.Length));
        Assert.Equal(10, data.Sequences.SelectMany(s => s.InputIds).Count(id => id == Eos));
        Assert.All(data.Sequences, s => Assert.Equal(s.InputIds, s.Labels));
    }

    [Fact]
    public void LongExamples_AreTruncatedAtMaxSeqLength_AndCounted()
    {
        var longCompletion = string.Join(" ", Enumerable.Repeat("compresseur", 50));
        var data = SequenceBuilder.Build([TrainingExample.FromPromptCompletion("Q", longCompletion, Here)], _tokenizer, 12);
        Assert.Equal(12, data.Sequences.Single().Length);
        Assert.Equal(1, data.TruncatedCount);
    }

    [Fact]
    public void Collate_PadsWithEosAndIgnoredLabels_WhenLengthsDiffer()
    {
        var a = new TokenizedSequence([1, 2, 3], [1, 2, 3]);
        var b = new TokenizedSequence([4, 5], [-100, 5]);
        var batch = Batch.Collate([a, b], Eos);
        Assert.Equal([1, 2, 3, 4, 5, Eos], batch.InputIds);
        Assert.Equal([1, 2, 3, -100, 5, -100], batch.Labels);
        Assert.Equal(2 + 1, batch.TargetCount); // shifted: a predicts 2,3; b predicts 5
    }

    [Fact]
    public void EpochPlan_ShufflesDeterministically_PerSeedAndEpoch()
    {
        var seqs = Enumerable.Range(0, 20).Select(i => new TokenizedSequence([i, i], [i, i])).ToList();
        var plan = new EpochPlan(seqs, 3, 2, seed: 5, Eos);
        Assert.Equal(plan.ShuffledOrder(1), new EpochPlan(seqs, 3, 2, 5, Eos).ShuffledOrder(1));
        Assert.NotEqual(plan.ShuffledOrder(0), plan.ShuffledOrder(1));
        Assert.Equal(7, plan.MicroBatchesPerEpoch);
        Assert.Equal(4, plan.StepsPerEpoch);
        Assert.Single(plan.MicroBatchesOf(0, 3));
    }
}
