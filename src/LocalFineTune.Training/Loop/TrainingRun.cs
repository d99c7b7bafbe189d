using LocalFineTune.Datasets.Model;
using LocalFineTune.Models;
using LocalFineTune.Tokenizers;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Loop;

/// <summary>Everything <see cref="Trainer.Train"/> needs: a loaded model, its tokenizer, validated examples and options.</summary>
public sealed record TrainingRun
{
    public required ICausalLanguageModel Model { get; init; }
    public required Tokenizer Tokenizer { get; init; }
    /// <summary>Writes checkpoints' model folders and re-reads them on resume.</summary>
    public required IModelFolderIO FolderIO { get; init; }
    public required IReadOnlyList<TrainingExample> TrainingExamples { get; init; }
    /// <summary>Held-out examples for eval loss; when empty, eval runs on the training data (and says so).</summary>
    public IReadOnlyList<TrainingExample> EvaluationExamples { get; init; } = [];
    public TrainingOptions Options { get; init; } = new();
    public string BaseModelName { get; init; } = "model";
    /// <summary>Where checkpoint-&lt;step&gt;/ folders go; null = no checkpoints (save_steps is then ignored).</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>A complete checkpoint folder to continue from (same data, options and base).</summary>
    public string? ResumeFrom { get; init; }
    public ITrainingProgress Progress { get; init; } = NullTrainingProgress.Instance;
}

/// <summary>The values "auto" and the model resolved to, as actually used.</summary>
public sealed record ResolvedHyperparameters(int Epochs, int BatchSize, int MaxSeqLength, int StepsPerEpoch, int TotalSteps,
    int WarmupSteps, int TrainingSequences, int EvaluationSequences, int TruncatedExamples, int DroppedExamples, string Device);

public sealed record TrainingResult(
    TrainerState State,
    EvaluationResult Before,
    EvaluationResult After,
    ResolvedHyperparameters Resolved,
    TimeSpan WallTime);
