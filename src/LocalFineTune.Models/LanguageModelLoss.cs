using LocalFineTune.Torch;

namespace LocalFineTune.Models;

/// <summary>
/// Next-token cross-entropy with transformers' conventions: labels are the input ids (not pre-shifted),
/// position t's logits predict label t+1, and label -100 adds no loss (padding, prompt tokens).
/// </summary>
public static class LanguageModelLoss
{
    public const long IgnoreIndex = -100;

    /// <summary>CE of logits [batch, seq, vocab] against labels [batch, seq]; Mean divides by <see cref="CountTargets"/>.</summary>
    public static Tensor Compute(Tensor logits, Tensor labels, Reduction reduction = Reduction.Mean)
    {
        if (logits.Dim != 3 || labels.Dim != 2 || logits.Size(0) != labels.Size(0) || logits.Size(1) != labels.Size(1))
            throw new ArgumentException($"logits must be [batch, seq, vocab] and labels [batch, seq] with the same batch and seq; " +
                $"got [{string.Join(", ", logits.Shape)}] and [{string.Join(", ", labels.Shape)}].");
        long seq = logits.Size(1), vocab = logits.Size(2);
        var predictions = logits.Slice(1, 0, seq - 1).Reshape(-1, vocab);      // [B·(T-1), V]
        var targets = labels.Slice(1, 1, seq).Reshape(-1).To(logits.Device);   // [B·(T-1)]
        // Softmax in float32 even for half-precision logits: a 50k-way log-softmax in fp16 loses the loss.
        if (predictions.DType != ScalarType.Float32 && predictions.DType != ScalarType.Float64) predictions = predictions.To(ScalarType.Float32);
        return Functional.CrossEntropy(predictions, targets, IgnoreIndex, reduction);
    }

    /// <summary>How many labels are scored: those after the first position that are not -100.</summary>
    public static long CountTargets(Tensor labels)
    {
        using var scope = DisposeScope.Enter();
        return labels.Slice(1, 1, labels.Size(1)).Ne(IgnoreIndex).To(ScalarType.Int64).Sum().ToInt64();
    }
}
