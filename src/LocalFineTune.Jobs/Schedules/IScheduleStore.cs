using System.Data.Common;
using LocalFineTune.Jobs.Ado;

namespace LocalFineTune.Jobs.Schedules;

/// <summary>
/// A recurring training (the monthly retrain). The Jobs layer stores it; the service owns the meaning of
/// <see cref="TemplateJson"/> (model, dataset pattern, options) and registers it with Hangfire.
/// </summary>
/// <param name="Cron">Five-field cron, in <paramref name="TimeZone"/>.</param>
/// <param name="TimeZone">An IANA (or Windows) time zone id.</param>
/// <param name="LastRunAt">Unix seconds of the occurrence (or run-now time) the last run was for; null: never ran.</param>
public sealed record ScheduleRecord(string Id, string? Name, string Cron, string TimeZone, string TemplateJson, long CreatedAt,
    long? LastRunAt = null, string? LastJobId = null, string? LastError = null);

/// <summary>Schedules in the job database, next to the jobs they start (both stores).</summary>
public interface IScheduleStore
{
    /// <summary>Stores a new schedule; its CreatedAt is the store's clock.</summary>
    ScheduleRecord CreateSchedule(string? name, string cron, string timeZone, string templateJson);

    ScheduleRecord? GetSchedule(string id);

    /// <summary>Oldest first.</summary>
    IReadOnlyList<ScheduleRecord> ListSchedules();

    /// <summary>False when there was no such schedule.</summary>
    bool DeleteSchedule(string id);

    /// <summary>
    /// Claims the run for <paramref name="runAt"/>: sets last_run_at only if it still is <paramref name="expectedLastRunAt"/>,
    /// so of several processes (or Hangfire's fire and the start-up catch-up) exactly one starts the run.
    /// </summary>
    bool TryClaimRun(string id, long? expectedLastRunAt, long runAt);

    /// <summary>What the claimed run did: the job it started, or why it could not start one.</summary>
    void RecordRunOutcome(string id, string? jobId, string? error);
}

/// <summary>The schedules SQL, the same text for SQLite and PostgreSQL.</summary>
internal static class ScheduleSql
{
    /// <summary>Applied as migration 3 of both schemas: never edit it, append a new migration instead.</summary>
    public const string Migration = """
        CREATE TABLE schedules (
            id TEXT PRIMARY KEY,
            name TEXT,
            cron TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            template TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_run_at BIGINT,
            last_job_id TEXT,
            last_error TEXT
        );
        """;

    private const string Columns = "id, name, cron, time_zone, template, created_at, last_run_at, last_job_id, last_error";

    public static string NewId() => "sched-" + Guid.NewGuid().ToString("N")[..16];

    public static ScheduleRecord Create(DbConnection c, DbTransaction tx, string? name, string cron, string timeZone, string template, long now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZone);
        ArgumentException.ThrowIfNullOrWhiteSpace(template);
        var id = NewId();
        c.Exec(tx, "INSERT INTO schedules (id, name, cron, time_zone, template, created_at) VALUES (@id, @name, @cron, @tz, @template, @now)",
            ("@id", id), ("@name", name), ("@cron", cron), ("@tz", timeZone), ("@template", template), ("@now", now));
        return Read(c, tx, id)[0];
    }

    /// <summary>One schedule, or (<paramref name="id"/> null) all, oldest first.</summary>
    public static List<ScheduleRecord> Read(DbConnection c, DbTransaction? tx, string? id) =>
        c.Query(tx, $"SELECT {Columns} FROM schedules {(id is null ? "" : "WHERE id = @id")} ORDER BY created_at, id",
            r => new ScheduleRecord(r.GetString(0), r.StringOrNull("name"), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
                r.Int64OrNull("last_run_at"), r.StringOrNull("last_job_id"), r.StringOrNull("last_error")),
            ("@id", id));

    public static bool Delete(DbConnection c, DbTransaction tx, string id) =>
        c.Exec(tx, "DELETE FROM schedules WHERE id = @id", ("@id", id)) > 0;

    public static bool TryClaimRun(DbConnection c, DbTransaction tx, string id, long? expected, long runAt) =>
        c.Exec(tx, expected is null
                ? "UPDATE schedules SET last_run_at = @at, last_job_id = NULL, last_error = NULL WHERE id = @id AND last_run_at IS NULL"
                : "UPDATE schedules SET last_run_at = @at, last_job_id = NULL, last_error = NULL WHERE id = @id AND last_run_at = @expected",
            ("@id", id), ("@at", runAt), ("@expected", expected)) > 0;

    public static void RecordOutcome(DbConnection c, DbTransaction tx, string id, string? jobId, string? error) =>
        c.Exec(tx, "UPDATE schedules SET last_job_id = @job, last_error = @error WHERE id = @id", ("@id", id), ("@job", jobId), ("@error", error));
}
