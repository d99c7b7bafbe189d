using System.Text.Json;
using System.Text.Json.Serialization;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Checkpoints;

/// <summary>One logged optimizer step (HF trainer_state.json's log_history, snake_case).</summary>
public sealed record StepLog(int Step, double Epoch, double Loss, double LearningRate, double GradNorm, double TokensPerSecond)
{
    /// <summary>Objective-specific figures (DPO's rewards/… and logps/…); absent for supervised steps.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}

/// <summary>One evaluation (step 0 = the base model, before training).</summary>
public sealed record EvalLog(int Step, double EvalLoss, double Perplexity, int TargetTokens, string Dataset)
{
    /// <summary>Objective-specific figures (DPO: rewards/accuracies, preference_accuracy, …); absent for supervised evaluation.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}

/// <summary>
/// Where a run stands: written as trainer_state.json in each checkpoint and in the final folder. With the optimizer
/// state and the weights, this is everything resume needs: the scheduler is a function of <see cref="GlobalStep"/>,
/// the data order a function of (<see cref="ShuffleSeed"/>, <see cref="Epoch"/>), and dropout continues from
/// <see cref="RngStateCpu"/>.
/// </summary>
public sealed record TrainerState
{
    /// <summary>Optimizer steps completed.</summary>
    public int GlobalStep { get; init; }
    public int TotalSteps { get; init; }
    /// <summary>0-based epoch of the next step, and the next step's index within it.</summary>
    public int Epoch { get; init; }
    public int StepInEpoch { get; init; }
    public int Epochs { get; init; }
    public int StepsPerEpoch { get; init; }
    public int ShuffleSeed { get; init; }
    public int BatchSize { get; init; }
    public int GradientAccumulationSteps { get; init; }
    /// <summary>Count of training sequences; resume refuses a dataset that tokenizes differently.</summary>
    public int SequenceCount { get; init; }
    public string BaseModel { get; init; } = "";
    public string? RngStateCpu { get; init; }
    public string? RngStateCuda { get; init; }
    public double ElapsedSeconds { get; init; }
    public long TokensSeen { get; init; }
    public List<StepLog> LogHistory { get; init; } = [];
    public List<EvalLog> EvalHistory { get; init; } = [];

    public const string FileName = "trainer_state.json";

    public string ToJson() => JsonSerializer.Serialize(this, TrainingOptions.JsonOptions);

    public static TrainerState Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), TrainingOptions.JsonOptions)
            ?? throw new InvalidDataException($"{path} is empty");
    }
}
