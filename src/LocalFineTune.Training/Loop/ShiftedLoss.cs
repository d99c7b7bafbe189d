using LocalFineTune.Torch;

namespace LocalFineTune.Training.Loop;

/// <summary>Causal-LM cross-entropy with the HF shift: position t's logits predict label t+1; -100 adds nothing.</summary>
public static class ShiftedLoss
{
    /// <summary>Sum (not mean) over all targets of the batch, so accumulation can divide by the step's total target count.</summary>
    public static Tensor Sum(Tensor logits, Tensor labels)
    {
        var (rows, columns, vocab) = (logits.Size(0), logits.Size(1), logits.Size(2));
        if (columns < 2) return Tensor.Zeros([], logits.DType, logits.Device);
        // [B, T-1, V] → [B·(T-1), V] against labels [B, 1..T) → [B·(T-1)]
        var predicting = logits.Narrow(1, 0, columns - 1).Reshape(rows * (columns - 1), vocab);
        var targets = labels.Narrow(1, 1, columns - 1).Reshape(rows * (columns - 1));
        return Functional.CrossEntropy(predicting, targets, ignoreIndex: -100, reduction: Reduction.Sum);
    }
}
