using System.Data.Common;
using System.Text.Json;

namespace LocalFineTune.Jobs.Ado;

/// <summary>Maps rows to records (both stores: the columns have the same names and read the same through
/// <see cref="DbDataReader"/>). Column lists live here so SELECTs and readers cannot drift apart.</summary>
internal static class JobRows
{
    public const string JobColumns =
        "id, source, device, state, created_at, started_at, finished_at, available_at, attempt, max_attempts, spec, " +
        "result, error_code, error_message, error_param, metadata, progress, cancel_requested, resume_from, owner_id, " +
        "heartbeat_at, updated_at";

    public const string EventColumns = "id, job_id, created_at, level, type, message, data";

    public const string CheckpointColumns = "id, job_id, created_at, step_number, path, metrics";

    // snake_case so the progress JSON reads like the HTTP APIs (total_steps, tokens_per_second).
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static JobRecord ReadJob(DbDataReader r) => new()
    {
        Id = r.String("id"),
        Source = r.String("source"),
        Device = r.String("device"),
        State = JobStates.ParseWireName(r.String("state")),
        CreatedAt = r.Int64("created_at"),
        StartedAt = r.Int64OrNull("started_at"),
        FinishedAt = r.Int64OrNull("finished_at"),
        AvailableAt = r.Int64("available_at"),
        Attempt = (int)r.Int64("attempt"),
        MaxAttempts = (int)r.Int64("max_attempts"),
        SpecJson = r.String("spec"),
        ResultJson = r.StringOrNull("result"),
        Error = ReadError(r),
        Metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(r.String("metadata")) ?? [],
        Progress = ProgressFromJson(r.StringOrNull("progress")),
        CancelRequested = r.Int64("cancel_requested") != 0,
        ResumeFrom = r.StringOrNull("resume_from"),
        OwnerId = r.StringOrNull("owner_id"),
        HeartbeatAt = r.Int64OrNull("heartbeat_at"),
        UpdatedAt = r.Int64("updated_at"),
    };

    private static JobError? ReadError(DbDataReader r)
    {
        var code = r.StringOrNull("error_code");
        return code is null ? null : new JobError(code, r.StringOrNull("error_message") ?? "", r.StringOrNull("error_param"));
    }

    public static JobEvent ReadEvent(DbDataReader r) => new(
        r.Int64("id"),
        r.String("job_id"),
        r.Int64("created_at"),
        JobEventNames.ParseLevel(r.String("level")),
        JobEventNames.ParseType(r.String("type")),
        r.String("message"),
        r.StringOrNull("data"));

    public static JobCheckpoint ReadCheckpoint(DbDataReader r) => new(
        r.Int64("id"),
        r.String("job_id"),
        r.Int64("created_at"),
        r.Int64("step_number"),
        r.String("path"),
        r.StringOrNull("metrics"));

    public static JobHistoryEntry ReadHistory(DbDataReader r)
    {
        var from = r.StringOrNull("from_state");
        return new JobHistoryEntry(
            r.Int64("id"),
            r.String("job_id"),
            r.Int64("at"),
            from is null ? null : JobStates.ParseWireName(from),
            JobStates.ParseWireName(r.String("to_state")),
            r.String("reason"),
            r.StringOrNull("owner_id"));
    }

    public static string ProgressToJson(JobProgress progress) => JsonSerializer.Serialize(progress, Json);

    public static JobProgress? ProgressFromJson(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<JobProgress>(json, Json);
}
