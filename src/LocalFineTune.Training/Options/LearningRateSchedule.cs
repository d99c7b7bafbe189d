namespace LocalFineTune.Training.Options;

/// <summary>
/// Learning rate at an optimizer step: linear warm-up from 0, then linear decay to 0, cosine decay to 0, or constant
/// (the HF get_*_schedule_with_warmup shapes). A pure function of the step, so resume needs only the step number.
/// </summary>
public sealed record LearningRateSchedule(LrSchedulerKind Kind, double PeakLearningRate, int WarmupSteps, int TotalSteps)
{
    public static LearningRateSchedule From(TrainingOptions options, int totalSteps)
    {
        var warmup = options.WarmupSteps > 0 ? options.WarmupSteps : (int)Math.Ceiling(options.WarmupRatio * totalSteps);
        return new LearningRateSchedule(options.LrScheduler, options.PeakLearningRate, Math.Min(warmup, totalSteps), totalSteps);
    }

    /// <summary>The rate used for optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        // Warm-up counts from step 1 so that the very first update is not a wasted zero-lr step.
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / WarmupSteps;
        if (Kind == LrSchedulerKind.Constant) return PeakLearningRate;
        var decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Kind == LrSchedulerKind.Linear
            ? PeakLearningRate * (1 - progress)
            : PeakLearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
