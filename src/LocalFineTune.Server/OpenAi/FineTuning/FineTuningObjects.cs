using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>OpenAI's fine_tuning.job object, every field present (null where OpenAI sends null).</summary>
public sealed record FineTuningJobObject
{
    public required string Id { get; init; }
    public string Object => "fine_tuning.job";
    public required long CreatedAt { get; init; }
    public long? FinishedAt { get; init; }
    public required string Status { get; init; }
    public required string Model { get; init; }
    public string? FineTunedModel { get; init; }
    public required string TrainingFile { get; init; }
    public string? ValidationFile { get; init; }
    public required Dictionary<string, object> Hyperparameters { get; init; }
    public required MethodObject Method { get; init; }
    public long? TrainedTokens { get; init; }
    public IReadOnlyList<string> ResultFiles { get; init; } = [];
    public JobErrorObject? Error { get; init; }
    public required int Seed { get; init; }
    public long? EstimatedFinish { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public required string OrganizationId { get; init; }
    public IReadOnlyList<object> Integrations { get; init; } = [];
    public string? UserProvidedSuffix { get; init; }
}

/// <summary>OpenAI's method object: "supervised" with its hyperparameters, or "dpo" with its own (beta included).</summary>
public sealed record MethodObject(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SupervisedObject? Supervised,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SupervisedObject? Dpo = null);

public sealed record SupervisedObject(Dictionary<string, object> Hyperparameters);

public sealed record JobErrorObject(string Code, string Message, string? Param);

/// <summary>fine_tuning.job.event: type "message" or "metrics"; data carries step, train_loss, … for metrics.</summary>
public sealed record JobEventObject(string Id, long CreatedAt, string Level, string Message, string Type, JsonElement? Data)
{
    public string Object => "fine_tuning.job.event";
}

/// <summary>fine_tuning.job.checkpoint: fine_tuned_model_checkpoint is a model name /v1 accepts.</summary>
public sealed record JobCheckpointObject(string Id, long CreatedAt, string FineTunedModelCheckpoint, string FineTuningJobId,
    Dictionary<string, double> Metrics, long StepNumber)
{
    public string Object => "fine_tuning.job.checkpoint";
}
