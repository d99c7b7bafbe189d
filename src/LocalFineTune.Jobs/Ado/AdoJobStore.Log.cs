using System.Data.Common;

namespace LocalFineTune.Jobs.Ado;

/// <summary>Events, checkpoints, history and the cheap per-job writes (progress, resume note).</summary>
public abstract partial class AdoJobStore
{
    public IReadOnlyList<JobHistoryEntry> GetHistory(string jobId)
    {
        using var c = Open();
        return c.Query(null, "SELECT * FROM job_history WHERE job_id = @id ORDER BY id", JobRows.ReadHistory, ("@id", jobId));
    }

    public void UpdateProgress(string jobId, JobProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        UpdateColumn(jobId, "progress", JobRows.ProgressToJson(progress));
        Raise(jobId, JobChangeKind.ProgressUpdated, null);
    }

    public void SetResumeFrom(string jobId, string? note) => UpdateColumn(jobId, "resume_from", note);

    private void UpdateColumn(string jobId, string column, string? value)
    {
        using var c = Open();
        // Plain UPDATE (autocommit): one statement is atomic, and a progress write must stay cheap.
        if (c.Exec(null, $"UPDATE jobs SET {column} = @v, updated_at = @now WHERE id = @id",
                ("@v", value), ("@now", Now), ("@id", jobId)) == 0)
        {
            throw new JobNotFoundException(jobId);
        }
    }

    public JobEvent AppendEvent(string jobId, NewJobEvent newEvent)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        var appended = WithTransaction((c, tx) =>
        {
            EnsureExists(c, tx, jobId);
            var id = InsertEvent(c, tx, jobId, Now, newEvent);
            return c.Query(tx, $"SELECT {JobRows.EventColumns} FROM job_events WHERE id = @id", JobRows.ReadEvent, ("@id", id)).Single();
        });
        Raise(jobId, JobChangeKind.EventAppended, null);
        return appended;
    }

    public Page<JobEvent> ListEvents(string jobId, long? after = null, int limit = 20) =>
        NewestFirst(jobId, "job_events", JobRows.EventColumns, JobRows.ReadEvent, after, limit);

    public IReadOnlyList<JobEvent> ReadEventsSince(string jobId, long sinceId, int limit = 100)
    {
        var pageSize = ClampLimit(limit);
        using var c = Open();
        EnsureExists(c, null, jobId);
        return c.Query(null, $"""
            SELECT {JobRows.EventColumns} FROM job_events
            WHERE job_id = @job AND id > @since
            ORDER BY id LIMIT @limit
            """, JobRows.ReadEvent, ("@job", jobId), ("@since", sinceId), ("@limit", pageSize));
    }

    public JobCheckpoint AddCheckpoint(string jobId, long stepNumber, string path, string? metricsJson = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(stepNumber);
        return WithTransaction((c, tx) =>
        {
            EnsureExists(c, tx, jobId);
            var id = (long)c.Scalar(tx, """
                INSERT INTO job_checkpoints (job_id, created_at, step_number, path, metrics)
                VALUES (@job, @now, @step, @path, @metrics) RETURNING id
                """, ("@job", jobId), ("@now", Now), ("@step", stepNumber), ("@path", path), ("@metrics", metricsJson))!;
            return c.Query(tx, $"SELECT {JobRows.CheckpointColumns} FROM job_checkpoints WHERE id = @id",
                JobRows.ReadCheckpoint, ("@id", id)).Single();
        });
    }

    public Page<JobCheckpoint> ListCheckpoints(string jobId, long? after = null, int limit = 10) =>
        NewestFirst(jobId, "job_checkpoints", JobRows.CheckpointColumns, JobRows.ReadCheckpoint, after, limit);

    /// <summary>One page of a job's rows in <paramref name="table"/>, newest first, older than <paramref name="after"/>.</summary>
    private Page<T> NewestFirst<T>(string jobId, string table, string columns, Func<DbDataReader, T> read, long? after, int limit)
    {
        var pageSize = ClampLimit(limit);
        using var c = Open();
        EnsureExists(c, null, jobId);
        // PostgreSQL cannot type a bare NULL parameter in "@after IS NULL": add the condition only when given.
        var afterSql = after is null ? "" : " AND id < @after";
        var rows = c.Query(null, $"""
            SELECT {columns} FROM {table}
            WHERE job_id = @job{afterSql}
            ORDER BY id DESC LIMIT @limit
            """, read, ("@job", jobId), ("@after", after), ("@limit", pageSize + 1));
        return ToPage(rows, pageSize);
    }

    private static long InsertEvent(DbConnection c, DbTransaction tx, string jobId, long now, NewJobEvent e) =>
        (long)c.Scalar(tx, """
            INSERT INTO job_events (job_id, created_at, level, type, message, data)
            VALUES (@job, @now, @level, @type, @message, @data) RETURNING id
            """, ("@job", jobId), ("@now", now), ("@level", e.Level.ToWireName()), ("@type", e.Type.ToWireName()),
            ("@message", e.Message), ("@data", e.DataJson))!;

    private static void EnsureExists(DbConnection c, DbTransaction? tx, string jobId)
    {
        if (c.Scalar(tx, "SELECT 1 FROM jobs WHERE id = @id", ("@id", jobId)) is null)
        {
            throw new JobNotFoundException(jobId);
        }
    }
}
