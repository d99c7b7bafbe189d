namespace LocalFineTune.Training.Data;

/// <summary>
/// The order of micro-batches in an epoch and how they group into optimizer steps. The shuffle is a pure function
/// of (seed, epoch), so a checkpoint only records the epoch and the step within it to resume the exact same data.
/// </summary>
public sealed class EpochPlan
{
    private readonly IReadOnlyList<TokenizedSequence> _sequences;
    private readonly int _padTokenId;

    public EpochPlan(IReadOnlyList<TokenizedSequence> sequences, int batchSize, int accumulationSteps, int seed, int padTokenId)
    {
        if (sequences.Count == 0) throw new ArgumentException("no training sequences: the dataset tokenized to nothing", nameof(sequences));
        _sequences = sequences;
        _padTokenId = padTokenId;
        BatchSize = batchSize;
        AccumulationSteps = accumulationSteps;
        Seed = seed;
        MicroBatchesPerEpoch = (sequences.Count + batchSize - 1) / batchSize;
        StepsPerEpoch = (MicroBatchesPerEpoch + accumulationSteps - 1) / accumulationSteps;
    }

    public int BatchSize { get; }
    public int AccumulationSteps { get; }
    public int Seed { get; }
    public int MicroBatchesPerEpoch { get; }
    public int StepsPerEpoch { get; }

    /// <summary>The micro-batches of optimizer step <paramref name="stepInEpoch"/> of <paramref name="epoch"/>.</summary>
    public IReadOnlyList<Batch> MicroBatchesOf(int epoch, int stepInEpoch)
    {
        var order = ShuffledOrder(epoch);
        var first = stepInEpoch * AccumulationSteps;
        var last = Math.Min(first + AccumulationSteps, MicroBatchesPerEpoch);
        var batches = new List<Batch>(last - first);
        for (var mb = first; mb < last; mb++)
        {
            var rows = order.Skip(mb * BatchSize).Take(BatchSize).Select(i => _sequences[i]).ToList();
            batches.Add(Batch.Collate(rows, _padTokenId));
        }
        return batches;
    }

    /// <summary>Fisher–Yates with a seeded System.Random: that seeded algorithm is fixed across .NET versions.</summary>
    public int[] ShuffledOrder(int epoch)
    {
        var order = Enumerable.Range(0, _sequences.Count).ToArray();
        var random = new Random(unchecked(Seed * 1_000_003 + epoch));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
