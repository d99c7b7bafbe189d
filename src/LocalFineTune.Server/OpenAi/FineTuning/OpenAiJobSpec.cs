using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Server.Execution;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// What /v1 adds to a job's spec, stored under "openai" beside the <see cref="TrainingJobSpec"/> fields. The shared
/// executor reads only the TrainingJobSpec part (unknown members are ignored), so /v1 jobs train exactly like
/// /api/finetune jobs, and /api/finetune/status shows them.
/// </summary>
public sealed record OpenAiJobSpec
{
    public const string Source = "v1";
    public const string Key = "openai";

    public required string TrainingFile { get; init; }
    public string? ValidationFile { get; init; }
    public string? Suffix { get; init; }
    /// <summary>The base the ft: name carries: the original base even when training continues from an ft: model.</summary>
    public required string BaseModel { get; init; }
    /// <summary>Requested values as sent: a number or "auto".</summary>
    public required JsonElement Hyperparameters { get; init; }
    /// <summary>The learning rate that learning_rate_multiplier 1 means for this model.</summary>
    public required double BaseLearningRate { get; init; }

    public static string Combine(TrainingJobSpec spec, OpenAiJobSpec extra)
    {
        var node = JsonNode.Parse(spec.ToJson())!.AsObject();
        node[Key] = JsonSerializer.SerializeToNode(extra, TrainingJobSpec.Json);
        return node.ToJsonString();
    }

    public static OpenAiJobSpec? TryRead(string specJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(specJson);
            return doc.RootElement.TryGetProperty(Key, out var extra) ? extra.Deserialize<OpenAiJobSpec>(TrainingJobSpec.Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
