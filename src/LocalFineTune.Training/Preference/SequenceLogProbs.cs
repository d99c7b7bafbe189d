using LocalFineTune.Models;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// log π(answer | prompt) per row: the sum, over the row's scored positions, of the log-probability the model gives
/// the next token. Same conventions as <see cref="LanguageModelLoss"/> (labels not pre-shifted, -100 unscored), so
/// padding and prompt tokens add exactly 0.
/// </summary>
public static class SequenceLogProbs
{
    /// <summary>logits [rows, seq, vocab], labels [rows, seq] → summed log-probs [rows] (float32, with graph if logits have one).</summary>
    public static Tensor Summed(Tensor logits, Tensor labels)
    {
        long rows = logits.Size(0), seq = logits.Size(1), vocab = logits.Size(2);
        var predictions = logits.Slice(1, 0, seq - 1).Reshape(-1, vocab);
        var targets = labels.Slice(1, 1, seq).Reshape(-1).To(logits.Device);
        // Log-softmax in float32 even for half-precision logits, as the supervised loss does.
        if (predictions.DType != ScalarType.Float32 && predictions.DType != ScalarType.Float64) predictions = predictions.To(ScalarType.Float32);
        var negative = Functional.CrossEntropy(predictions, targets, LanguageModelLoss.IgnoreIndex, Reduction.None);
        return negative.Reshape(rows, seq - 1).Sum(1).Neg();
    }
}
