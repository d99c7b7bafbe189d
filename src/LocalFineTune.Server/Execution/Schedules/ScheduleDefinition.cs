using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LocalFineTune.Server.Execution.Schedules;

/// <summary>
/// What a schedule stores as its template (the Jobs layer keeps it as opaque JSON): the job as a POST
/// /api/finetune/start body whose dataset_url may hold date placeholders, and the schedule's own options.
/// </summary>
public sealed record ScheduleDefinition
{
    /// <summary>A /api/finetune/start body (model, dataset_url pattern, hyperparameters), validated like one.</summary>
    public required JsonObject Job { get; init; }

    /// <summary>"latest": train from the base's promoted latest fine-tune (the base itself while it has none); null: from Job.model.</summary>
    public string? ContinueFrom { get; init; }

    /// <summary><see cref="PromotePolicy"/>: "always" (default) or "if_better".</summary>
    public string Promote { get; init; } = PromotePolicy.Always;

    /// <summary>A fixed file under the data root: every run's validation set, and with if_better the comparison set.</summary>
    public string? Holdout { get; init; }

    /// <summary>The base whose latest continue_from follows and promotion moves (resolved at creation).</summary>
    public required string BaseModel { get; init; }

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ScheduleDefinition FromJson(string json) =>
        JsonSerializer.Deserialize<ScheduleDefinition>(json, Json) ?? throw new JsonException("The schedule template is null.");

    public string DatasetPattern => Job["dataset_url"]!.GetValue<string>();
}
