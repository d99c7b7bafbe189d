using LocalFineTune.Models;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Loop;

/// <summary>What one optimizer step measured.</summary>
public readonly record struct StepOutcome(double Loss, double GradNorm, long Tokens, int Targets);

/// <summary>
/// One optimizer step: forward/backward over every micro-batch, clip, AdamW step, free gradients.
/// Each micro-batch's summed loss is divided by the target count of the WHOLE step, so the accumulated gradient
/// equals that of one big batch (averaging micro-batch means would over-weight short micro-batches).
/// </summary>
public static class OptimizerStep
{
    /// <param name="autocast">bfloat16 for mixed precision (the "dtype" option), null for float32.</param>
    public static StepOutcome Run(ICausalLanguageModel model, AdamW optimizer, IReadOnlyList<Batch> microBatches,
        double maxGradNorm, CancellationToken cancellation, ScalarType? autocast = null)
    {
        var stepTargets = microBatches.Sum(b => b.TargetCount);
        if (stepTargets == 0) throw new InvalidOperationException("an optimizer step without any target token; the data plan is wrong");
        var (loss, norm) = Apply(optimizer, maxGradNorm, () => AccumulateGradients(model, microBatches, stepTargets, cancellation, autocast), cancellation);
        return new StepOutcome(loss, norm, microBatches.Sum(b => b.TokenCount), stepTargets);
    }

    /// <summary>
    /// The part every objective shares (supervised, DPO): run <paramref name="backward"/> (it accumulates gradients and
    /// returns the step's loss), clip, AdamW step, free gradients. Returns the loss and the pre-clip gradient norm.
    /// </summary>
    public static (double Loss, double GradNorm) Apply(AdamW optimizer, double maxGradNorm, Func<double> backward, CancellationToken cancellation)
    {
        using var stepScope = DisposeScope.Enter();
        try
        {
            var loss = backward();
            cancellation.ThrowIfCancellationRequested();
            // max_grad_norm 0 = no clipping; the norm is still measured for the progress report.
            var norm = GradClip.ClipGradNorm(optimizer.Parameters, maxGradNorm > 0 ? maxGradNorm : double.MaxValue);
            optimizer.Step();
            return (loss, norm);
        }
        finally
        {
            // Also on cancellation: no stale gradient may leak into a later step.
            optimizer.ZeroGrad();
        }
    }

    /// <summary>Backward of every micro-batch; returns the step's mean loss per target token.</summary>
    public static double AccumulateGradients(ICausalLanguageModel model, IReadOnlyList<Batch> microBatches, int stepTargets,
        CancellationToken cancellation, ScalarType? autocast = null)
    {
        double lossSum = 0;
        foreach (var batch in microBatches)
        {
            cancellation.ThrowIfCancellationRequested();
            // A scope per micro-batch frees its graph and activations before the next one starts.
            using var scope = DisposeScope.Enter();
            var (ids, labels) = BatchTensors.Of(batch, model.Device);
            Tensor loss;
            // Forward and loss in mixed precision; backward outside it, as torch.autocast recommends.
            using (AutocastScope.Enter(model.Device, autocast))
                loss = LanguageModelLoss.Compute(model.Forward(ids), labels, Reduction.Sum).Div(stepTargets);
            loss.Backward();
            lossSum += loss.ToDouble();
        }
        return lossSum;
    }
}
