using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

public class LanguageModelLossTests
{
    [Fact]
    public void Compute_ShiftsAndIgnoresMinus100_LikeTransformers()
    {
        using var scope = DisposeScope.Enter();
        // batch 1, seq 3, vocab 2: positions 0 and 1 predict labels 1 and 2; label 2 is -100.
        var logits = Tensor.FromArray(new float[] { 0, 1, 2, 0, 5, 5 }, 1, 3, 2);
        var labels = Tensor.FromArray(new long[] { 7, 0, -100 }, 1, 3);
        var expected = Math.Log(1 + Math.Exp(1)); // -log softmax([0, 1])[0]

        Assert.Equal(expected, LanguageModelLoss.Compute(logits, labels).ToDouble(), 5);
        Assert.Equal(expected, LanguageModelLoss.Compute(logits, labels, Reduction.Sum).ToDouble(), 5);
        Assert.Equal(1, LanguageModelLoss.CountTargets(labels));
    }

    [Fact]
    public void Compute_AveragesOverScoredTokensOfTheWholeBatch()
    {
        using var scope = DisposeScope.Enter();
        var logits = Tensor.FromArray(new float[] { 0, 0, 0, 0, 3, 0, 0, 0 }, 2, 2, 2);
        var labels = Tensor.FromArray(new long[] { 1, 1, 1, 0 }, 2, 2);
        var expected = (Math.Log(2) + Math.Log(1 + Math.Exp(-3))) / 2; // row 0: uniform; row 1: logit 3 on the target

        Assert.Equal(expected, LanguageModelLoss.Compute(logits, labels).ToDouble(), 5);
        Assert.Equal(2, LanguageModelLoss.CountTargets(labels));
    }
}
