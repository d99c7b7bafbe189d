using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Server.Execution;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// Renders any job of the shared store (created by /v1 or by /api/finetune) as OpenAI objects. Jobs of the seed API
/// have no file ids or suffix: their dataset_url stands in for training_file, their folder name for fine_tuned_model.
/// </summary>
public sealed class FineTuningJobViews(FineTunedNames names, CheckpointKeeper keeper)
{
    public FineTuningJobObject Job(JobRecord job)
    {
        var spec = TryReadSpec(job.SpecJson);
        var extra = OpenAiJobSpec.TryRead(job.SpecJson);
        var options = spec?.TrainingOptions;
        var result = ReadObject(job.ResultJson);
        var hyper = Hyperparameters(extra, options, result);
        return new FineTuningJobObject
        {
            Id = job.Id,
            CreatedAt = job.CreatedAt,
            FinishedAt = job.FinishedAt,
            Status = job.State.ToWireName(),
            Model = spec?.Model ?? "unknown",
            FineTunedModel = job.State == JobState.Succeeded ? FineTunedModel(job, result) : null,
            TrainingFile = extra?.TrainingFile ?? spec?.DatasetUrl ?? "unknown",
            ValidationFile = extra?.ValidationFile,
            Hyperparameters = hyper,
            Method = options?.Method == TrainingMethod.Dpo
                ? new MethodObject("dpo", null, new SupervisedObject(new(hyper) { ["beta"] = options.Dpo?.Beta ?? new DpoOptions().Beta }))
                : new MethodObject("supervised", new SupervisedObject(hyper)),
            TrainedTokens = job.State == JobState.Succeeded ? Long(result, "trained_tokens") : job.Progress?.TrainedTokens,
            Error = job.Error is { } e ? new JobErrorObject(e.Code, e.Message, ParamFor(job, e.Param)) : null,
            Seed = options?.Seed ?? 0,
            EstimatedFinish = job.State == JobState.Running && job.Progress?.EtaSeconds is double eta
                ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (long)eta : null,
            Metadata = job.Metadata.Count > 0 ? job.Metadata : null,
            OrganizationId = names.Organization,
            UserProvidedSuffix = extra?.Suffix,
        };
    }

    public static JobEventObject Event(JobEvent e) =>
        new($"ftevent-{e.Id}", e.CreatedAt, e.Level.ToWireName(), e.Message, e.Type.ToWireName(), ReadObject(e.DataJson));

    public JobCheckpointObject? Checkpoint(JobRecord job, JobCheckpoint checkpoint)
    {
        var modelName = names.NameOfJob(job);
        var metrics = keeper.MetricsOf(job.Id, checkpoint.StepNumber);
        if (modelName is null || metrics is null) return null;
        return new JobCheckpointObject($"ftckpt_{checkpoint.Id}", checkpoint.CreatedAt,
            FineTunedNames.CheckpointName(modelName, checkpoint.StepNumber), job.Id, metrics, checkpoint.StepNumber);
    }

    /// <summary>The executor reports data errors against dataset_url; on /v1 the same file is "training_file".</summary>
    private static string? ParamFor(JobRecord job, string? param) =>
        job.Source == OpenAiJobSpec.Source && param == "dataset_url" ? "training_file" : param;

    private string? FineTunedModel(JobRecord job, JsonElement? result)
    {
        if (names.NameOfJob(job) is { } name) return name;
        return result is { } r && r.TryGetProperty("model_name", out var folder) ? folder.GetString() : null;
    }

    /// <summary>Resolved values once the run reported them (epochs, batch size); until then what was asked, "auto" included.</summary>
    private static Dictionary<string, object> Hyperparameters(OpenAiJobSpec? extra, TrainingOptions? options, JsonElement? result)
    {
        var baseRate = extra?.BaseLearningRate ?? TrainingOptions.FullLearningRate;
        object epochs = Long(result, "epochs") is long e ? e : options?.Epochs.Value is int oe ? oe : "auto";
        object batch = Long(result, "batch_size") is long b ? b : options?.BatchSize.Value is int ob ? ob : "auto";
        object multiplier = options is null ? "auto" : Math.Round(options.PeakLearningRate / baseRate, 6);
        return new Dictionary<string, object> { ["n_epochs"] = epochs, ["batch_size"] = batch, ["learning_rate_multiplier"] = multiplier };
    }

    private static TrainingJobSpec? TryReadSpec(string json)
    {
        try
        {
            return TrainingJobSpec.FromJson(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? ReadObject(string? json)
    {
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long? Long(JsonElement? obj, string name) =>
        obj is { } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
