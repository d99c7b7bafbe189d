namespace LocalFineTune.Training.Loop;

/// <summary>One optimizer step done. Loss is the mean over the step's target tokens (all micro-batches).</summary>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    int Epoch,
    int Epochs,
    double Loss,
    double LearningRate,
    double GradNorm,
    double TokensPerSecond,
    TimeSpan Elapsed,
    TimeSpan EstimatedRemaining)
{
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;

    /// <summary>Objective-specific figures of the step (DPO: rewards/chosen, …, TRL's names); null for supervised steps.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}

/// <summary>Loss over held-out data at a step (0 = the base, before any update). Perplexity = exp(loss).</summary>
public sealed record EvaluationResult(int Step, double Loss, int TargetTokens, string Dataset)
{
    public double Perplexity => Math.Exp(Loss);

    /// <summary>Objective-specific figures (DPO: rewards/accuracies, preference_accuracy, …); null for supervised evaluation.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}

/// <summary>
/// What the CLI and the service consume while a run goes on. Called on the training thread between steps, so
/// implementations must be quick and must not block on the UI (hand off to a channel if needed).
/// </summary>
public interface ITrainingProgress
{
    void OnStep(TrainingProgress progress);

    void OnEvaluation(EvaluationResult evaluation) { }

    void OnCheckpoint(int step, string path) { }

    void OnMessage(string message) { }
}

/// <summary>Ignores every report.</summary>
public sealed class NullTrainingProgress : ITrainingProgress
{
    public static readonly NullTrainingProgress Instance = new();

    public void OnStep(TrainingProgress progress) { }
}
