using LocalFineTune.Torch;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// Pairs as one padded batch: the chosen answers in rows [0, Pairs), the rejected ones in rows [Pairs, 2·Pairs), so
/// one forward pass scores both (TRL's concatenated forward) and the prompt's work is batched with the answers.
/// </summary>
public sealed record PreferenceBatch(Batch Rows, IReadOnlyList<int> PairIndices, long[] AnswerTokens)
{
    public int Pairs => PairIndices.Count;

    public static PreferenceBatch Collate(IReadOnlyList<TokenizedPair> pairs, int padTokenId)
    {
        if (pairs.Count == 0) throw new ArgumentException("a preference batch needs at least one pair", nameof(pairs));
        var sequences = pairs.Select(p => p.Chosen).Concat(pairs.Select(p => p.Rejected)).ToList();
        var answerTokens = sequences.Select(s => (long)s.TargetCount).ToArray();
        return new PreferenceBatch(Batch.Collate(sequences, padTokenId), pairs.Select(p => p.Index).ToList(), answerTokens);
    }

    public (Tensor InputIds, Tensor Labels) Tensors(Device device)
    {
        long[] shape = [Rows.Rows, Rows.Columns];
        return (Tensor.FromSpan<long>(Rows.InputIds, shape, device), Tensor.FromSpan<long>(Rows.Labels, shape, device));
    }

    /// <summary>Scored tokens per row [2·Pairs], float32, to average log-probs per token (IPO).</summary>
    public Tensor AnswerTokenCounts(Device device) =>
        Tensor.FromSpan<float>(AnswerTokens.Select(n => (float)n).ToArray(), [AnswerTokens.Length], device);
}
