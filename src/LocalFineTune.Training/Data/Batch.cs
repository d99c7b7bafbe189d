namespace LocalFineTune.Training.Data;

/// <summary>
/// A padded micro-batch in row-major [Rows, Columns] layout. Padding goes on the right with the pad id (GPT-2: EOS)
/// and label -100, so with causal attention no real token ever attends to padding and padding adds no loss:
/// no attention mask is needed.
/// </summary>
public sealed record Batch(long[] InputIds, long[] Labels, int Rows, int Columns, int TargetCount)
{
    public long TokenCount => (long)Rows * Columns;

    public static Batch Collate(IReadOnlyList<TokenizedSequence> sequences, int padTokenId)
    {
        if (sequences.Count == 0) throw new ArgumentException("a batch needs at least one sequence", nameof(sequences));
        var columns = sequences.Max(s => s.Length);
        var ids = new long[sequences.Count * columns];
        var labels = new long[ids.Length];
        Array.Fill(ids, padTokenId);
        Array.Fill(labels, TokenizedSequence.IgnoreIndex);
        var targets = 0;
        for (var row = 0; row < sequences.Count; row++)
        {
            var s = sequences[row];
            for (var t = 0; t < s.Length; t++)
            {
                ids[row * columns + t] = s.InputIds[t];
                labels[row * columns + t] = s.Labels[t];
            }
            targets += s.TargetCount;
        }
        return new Batch(ids, labels, sequences.Count, columns, targets);
    }
}
