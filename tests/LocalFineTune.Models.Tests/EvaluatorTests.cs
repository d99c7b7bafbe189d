using LocalFineTune.Models.Evaluation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

public class EvaluatorTests
{
    [Fact]
    public void Evaluate_EqualsHandComputedCrossEntropy_OnTinyCase()
    {
        using var temp = new TempFolder();
        HfModelFolder.CreateRandomFolder(temp.Sub("m"), TinyGpt2.WithGpt2Vocab() with { InitializerRange = 0.5 }, RepoPaths.Gpt2Tokenizer, 3);
        using var loaded = HfModelFolder.Load(temp.Sub("m"), Device.Cpu);
        string[] records = ["Hello world", "A cold fridge", ""];

        var result = Evaluator.Evaluate(loaded, records, batchSize: 2);

        double sum = 0;
        long count = 0;
        foreach (var record in records)
        {
            var ids = loaded.Tokenizer.Encode(record).Append(50256).ToArray();
            var logits = TinyGpt2.Logits(loaded.Model, ids);
            for (var t = 0; t + 1 < ids.Length; t++, count++)
            {
                var max = logits[t].Max();
                var logSumExp = max + Math.Log(logits[t].Sum(l => Math.Exp(l - max)));
                sum += logSumExp - logits[t][ids[t + 1]];
            }
        }
        Assert.Equal(count, result.Tokens);
        Assert.Equal(sum / count, result.Loss, 4);
        Assert.Equal(Math.Exp(result.Loss), result.Perplexity, 6);
    }

    [Fact]
    public void Evaluate_GivesSameResult_ForAnyBatchSize_AndTruncatesToContext()
    {
        using var temp = new TempFolder();
        HfModelFolder.CreateRandomFolder(temp.Sub("m"), TinyGpt2.WithGpt2Vocab(), RepoPaths.Gpt2Tokenizer, 4);
        using var loaded = HfModelFolder.Load(temp.Sub("m"), Device.Cpu);
        var records = new[] { "short", string.Join(' ', Enumerable.Repeat("long text", 60)), "mid sized record here" };

        var one = Evaluator.Evaluate(loaded, records, batchSize: 1);
        var three = Evaluator.Evaluate(loaded, records, batchSize: 3);

        Assert.Equal(one.Tokens, three.Tokens);
        Assert.Equal(one.Loss, three.Loss, 4);
        Assert.Equal(1 + 47 + Evaluator.Tokenize(loaded.Tokenizer, records[2], 50256, 48).Length - 1, one.Tokens);
    }

    [Fact]
    public void Evaluate_Throws_WhenNothingToScore()
    {
        using var temp = new TempFolder();
        HfModelFolder.CreateRandomFolder(temp.Sub("m"), TinyGpt2.WithGpt2Vocab(), RepoPaths.Gpt2Tokenizer, 4);
        using var loaded = HfModelFolder.Load(temp.Sub("m"), Device.Cpu);

        Assert.Throws<InvalidOperationException>(() => Evaluator.Evaluate(loaded, ["", ""]));
    }
}
