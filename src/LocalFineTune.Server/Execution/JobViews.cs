using System.Text.Json;
using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Execution;

/// <summary>GET /api/finetune/status/{job_id}: the seed's fields (job_id, status, progress, model_path) plus live figures.</summary>
public sealed record JobStatusView
{
    public required string JobId { get; init; }
    /// <summary>OpenAI's words: validating_files, queued, running, succeeded, failed, cancelled ("completed" is not sent).</summary>
    public required string Status { get; init; }
    public double Progress { get; init; }
    public string? ModelPath { get; init; }
    public string? Model { get; init; }
    public string? Dataset { get; init; }
    public string? Device { get; init; }
    /// <summary>The method that runs (full, lora or dpo): "auto" is resolved when the job is created.</summary>
    public string? Method { get; init; }
    /// <summary>Every training option of the job as resolved at creation (snake_case, as the start request takes them).</summary>
    public JsonElement? Config { get; init; }
    public double? Epoch { get; init; }
    public long? Step { get; init; }
    public long? TotalSteps { get; init; }
    public double? Loss { get; init; }
    public double? EvalLossBefore { get; init; }
    public double? EvalLossAfter { get; init; }
    public double? TokensPerSecond { get; init; }
    public double? EtaSeconds { get; init; }
    public long? TrainedTokens { get; init; }
    /// <summary>Whether the finished job's model became its base's "latest", and why (the promote option).</summary>
    public bool? Promoted { get; init; }
    public string? Promotion { get; init; }
    public JobErrorView? Error { get; init; }
    public int Attempt { get; init; }
    public bool CancelRequested { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}

public sealed record JobErrorView(string Code, string Message, string? Param);

public sealed record JobEventView(long Id, DateTimeOffset CreatedAt, string Level, string Type, string Message, JsonElement? Data);

public static class JobViews
{
    public static JobStatusView Status(JobRecord job)
    {
        var spec = TryReadSpec(job.SpecJson);
        var result = TryReadObject(job.ResultJson);
        var progress = job.Progress;
        return new JobStatusView
        {
            JobId = job.Id,
            Status = job.State.ToWireName(),
            Progress = job.State == JobState.Succeeded ? 1.0 : Math.Clamp(progress?.Fraction ?? 0, 0, 1),
            ModelPath = ReadString(result, "model_path"),
            Model = spec?.Model,
            Dataset = spec?.DatasetUrl,
            Device = job.Device,
            Method = spec is { Options.ValueKind: JsonValueKind.Object } && spec.Options.TryGetProperty("method", out var m) ? m.GetString() : null,
            Config = spec is { Options.ValueKind: JsonValueKind.Object } ? spec.Options : null,
            Epoch = progress?.Epoch,
            Step = progress?.Step,
            TotalSteps = progress?.TotalSteps,
            Loss = progress?.Loss,
            EvalLossBefore = Metric(progress, "eval_loss_before") ?? ReadDouble(result, "eval_loss_before"),
            EvalLossAfter = Metric(progress, "eval_loss_after") ?? ReadDouble(result, "eval_loss_after"),
            TokensPerSecond = progress?.TokensPerSecond,
            EtaSeconds = job.State == JobState.Running ? progress?.EtaSeconds : null,
            TrainedTokens = progress?.TrainedTokens ?? (long?)ReadDouble(result, "trained_tokens"),
            Promoted = ReadBool(result, "promoted"),
            Promotion = ReadString(result, "promotion"),
            Error = job.Error is { } e ? new JobErrorView(e.Code, e.Message, e.Param) : null,
            Attempt = AttemptsMade(job),
            CancelRequested = job.CancelRequested,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(job.CreatedAt),
            StartedAt = job.StartedAt is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null,
            FinishedAt = job.FinishedAt is { } f ? DateTimeOffset.FromUnixTimeSeconds(f) : null,
        };
    }

    public static JobEventView Event(JobEvent e) => new(
        e.Id, DateTimeOffset.FromUnixTimeSeconds(e.CreatedAt), e.Level.ToWireName(), e.Type.ToWireName(), e.Message,
        e.DataJson is null ? null : TryReadObject(e.DataJson));

    private static double? Metric(JobProgress? progress, string name) =>
        progress?.Metrics is { } metrics && metrics.TryGetValue(name, out var value) ? value : null;

    private static TrainingJobSpec? TryReadSpec(string json)
    {
        try
        {
            return TrainingJobSpec.FromJson(json);
        }
        catch (JsonException)
        {
            // A job created by another API (/v1) may store a different spec shape; show what the record has.
            return null;
        }
    }

    private static JsonElement? TryReadObject(string? json)
    {
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadString(JsonElement? obj, string name) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool? ReadBool(JsonElement? obj, string name) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static double? ReadDouble(JsonElement? obj, string name) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>
    /// The store counts an attempt when a worker claims the job for training; a job that failed while its dataset was
    /// being validated never got there, yet that validation was its first (and only) attempt.
    /// </summary>
    private static int AttemptsMade(JobRecord job) => job.Attempt == 0 && job.State == JobState.Failed ? 1 : job.Attempt;
}
