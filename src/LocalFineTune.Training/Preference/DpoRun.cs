using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Models;
using LocalFineTune.Tokenizers;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// Everything <see cref="DpoTrainer.Train"/> needs: what a <see cref="TrainingRun"/> carries, with preference pairs
/// instead of examples, and optionally the reference model.
/// </summary>
public sealed record DpoRun
{
    /// <summary>The policy: the model being tuned (the base, an ft: model for supervised-then-DPO, or either with LoRA adapters).</summary>
    public required ICausalLanguageModel Model { get; init; }
    public required Tokenizer Tokenizer { get; init; }
    public required IModelFolderIO FolderIO { get; init; }
    public required IReadOnlyList<PreferenceExample> TrainingExamples { get; init; }
    /// <summary>Held-out pairs for loss and preference accuracy; when empty, evaluation runs on the training pairs (and says so).</summary>
    public IReadOnlyList<PreferenceExample> EvaluationExamples { get; init; } = [];
    /// <summary>The run's options; DPO's own settings are <see cref="TrainingOptions.Dpo"/> (null = defaults), method normally dpo.</summary>
    public TrainingOptions Options { get; init; } = new() { Method = TrainingMethod.Dpo };
    /// <summary>
    /// The reference model, loaded by the caller with the starting weights (not disposed by the trainer). Null = the
    /// policy with its LoRA adapters disabled when it has adapters, else a frozen in-memory copy of the policy's weights.
    /// </summary>
    public ICausalLanguageModel? ReferenceModel { get; init; }
    public string BaseModelName { get; init; } = "model";
    public string? CheckpointDirectory { get; init; }
    public string? ResumeFrom { get; init; }
    public ITrainingProgress Progress { get; init; } = NullTrainingProgress.Instance;

    /// <summary>The same run as the supervised loop's shared pieces (checkpoints) see it.</summary>
    internal TrainingRun AsTrainingRun() => new()
    {
        Model = Model, Tokenizer = Tokenizer, FolderIO = FolderIO, TrainingExamples = [], Options = Options,
        BaseModelName = BaseModelName, CheckpointDirectory = CheckpointDirectory, ResumeFrom = ResumeFrom, Progress = Progress,
    };
}
