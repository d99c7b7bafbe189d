using LocalFineTune.Models;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Loop;

/// <summary>
/// batch_size "auto". On CUDA: the largest power of two up to <see cref="MaxAutoBatchSize"/> whose forward+backward at
/// full sequence length runs without an out-of-memory error (tried from the top, halving). On CPU there is no
/// allocation failure to catch before the OS starts swapping, so the size is capped by an estimate instead: the
/// memory one full-length sequence's forward+backward adds (measured as RSS growth) against half of the memory
/// available. Either way it never exceeds <see cref="StepCap"/>: a small dataset must still get enough optimizer
/// steps to learn (128 examples at batch 64 were 2 steps per epoch, and the model learned nothing).
/// </summary>
public static class BatchSizeEstimator
{
    public const int MaxAutoBatchSize = 64;

    /// <summary>"auto" keeps at least this many optimizer steps per epoch whenever the data allows it.</summary>
    public const int MinOptimizerStepsPerEpoch = 16;

    public static int Find(ICausalLanguageModel model, int sequenceCount, int seqLength, int accumulationSteps, ITrainingProgress progress)
    {
        var cap = StepCap(sequenceCount, accumulationSteps);
        var found = cap == 1 ? 1 : model.Device.IsCuda ? LargestThatRuns(model, cap, seqLength) : CpuEstimate(model, cap, seqLength);
        var why = found == cap ? $"at least {MinOptimizerStepsPerEpoch} optimizer steps per epoch on {sequenceCount} sequences"
            : model.Device.IsCuda ? "largest that ran" : "CPU memory estimate";
        progress.OnMessage($"batch_size auto → {found} ({why})");
        return found;
    }

    /// <summary>
    /// The largest power of two, at most <see cref="MaxAutoBatchSize"/>, that leaves
    /// <see cref="MinOptimizerStepsPerEpoch"/> optimizer steps per epoch (1 when there are too few sequences for that).
    /// </summary>
    public static int StepCap(int sequenceCount, int accumulationSteps)
    {
        var bySteps = sequenceCount / (MinOptimizerStepsPerEpoch * Math.Max(1, accumulationSteps));
        return HighestPowerOfTwoAtMost(Math.Clamp(bySteps, 1, MaxAutoBatchSize));
    }

    private static int CpuEstimate(ICausalLanguageModel model, int cap, int seqLength)
    {
        var before = Runtime.ProcessRssBytes();
        var grown = Math.Max(1L << 20, TrialPeakGrowth(model, 1, seqLength, before));
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var fits = (int)Math.Clamp(available / 2 / grown, 1, cap);
        return HighestPowerOfTwoAtMost(fits);
    }

    private static int LargestThatRuns(ICausalLanguageModel model, int cap, int seqLength)
    {
        for (var size = HighestPowerOfTwoAtMost(cap); size > 1; size /= 2)
        {
            try
            {
                TrialPeakGrowth(model, size, seqLength, 0);
                return size;
            }
            catch (TorchException e) when (e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
            {
                Runtime.EmptyCache();
            }
        }
        return 1;
    }

    /// <summary>Runs forward+backward with the graph alive and returns RSS growth; gradients are dropped afterwards.</summary>
    private static long TrialPeakGrowth(ICausalLanguageModel model, int batch, int seqLength, long rssBefore)
    {
        var wasTraining = model.Training;
        model.Training = false; // no dropout: the trial must not draw from the seeded generator
        try
        {
            using var scope = DisposeScope.Enter();
            var ids = Tensor.Zeros([batch, seqLength], ScalarType.Int64, model.Device);
            var loss = model.Forward(ids).Mean();
            loss.Backward();
            return Runtime.ProcessRssBytes() - rssBefore;
        }
        finally
        {
            foreach (var (_, p) in model.NamedParameters) p.ClearGrad();
            model.Training = wasTraining;
        }
    }

    private static int HighestPowerOfTwoAtMost(int n) => n <= 1 ? 1 : 1 << (31 - int.LeadingZeroCount(n));
}
