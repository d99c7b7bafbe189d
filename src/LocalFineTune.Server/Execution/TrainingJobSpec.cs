using System.Text.Json;
using System.Text.Json.Serialization;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// What POST /api/finetune/start stores as the job's SpecJson: the request as resolved at submission time, so a
/// restart or a retry trains exactly what the 202 answer promised.
/// </summary>
public sealed record TrainingJobSpec
{
    /// <summary>The model name as the user gave it (e.g. "gpt2", "latest", "gpt2-finetuned-20250101_000000").</summary>
    public required string Model { get; init; }

    /// <summary>The folder that name resolved to when the job was created.</summary>
    public required string ModelPath { get; init; }

    /// <summary>A catalog base to download before training (Models:AutoDownload); null when <see cref="ModelPath"/> was on disk.</summary>
    public string? PullBase { get; init; }

    /// <summary>The base name used for the output folder &lt;base&gt;-finetuned-&lt;stamp&gt;.</summary>
    public required string BaseModelName { get; init; }

    /// <summary>dataset_url as given: a path relative to the data root, or an http(s) URL.</summary>
    public required string DatasetUrl { get; init; }

    /// <summary>The resolved local file or folder; null for a URL (downloaded during validating_files).</summary>
    public string? DatasetPath { get; init; }

    /// <summary>A separate validation dataset (the /v1 validation_file); null means a 10% split of the training data.</summary>
    public string? ValidationDatasetPath { get; init; }

    /// <summary>What the job's success does to its base's "latest" (<see cref="PromotePolicy"/>); null means "always".
    /// With "if_better" the validation file is the holdout the gate compares on.</summary>
    public string? Promote { get; init; }

    /// <summary>The schedule that started this job, if any.</summary>
    public string? ScheduleId { get; init; }

    /// <summary>Hyperparameters with defaults applied and the device resolved.</summary>
    public required JsonElement Options { get; init; }

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public TrainingOptions TrainingOptions => TrainingOptions.FromJson(Options.GetRawText());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingJobSpec FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingJobSpec>(json, Json) ?? throw new JsonException("The job spec is null.");
}
