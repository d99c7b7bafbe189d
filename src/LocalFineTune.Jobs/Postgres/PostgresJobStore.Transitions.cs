using System.Text;
using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

public sealed partial class PostgresJobStore
{
    public bool TryTransition(JobTransition transition)
    {
        JobStateMachine.EnsureAllowed(transition.From, transition.To);
        var applied = WithTransaction((c, tx) => Apply(c, tx, transition, Now));
        if (applied)
        {
            Raise(transition.JobId, JobChangeKind.StateChanged, transition.To);
        }
        return applied;
    }

    public JobRecord? ClaimNext(string device, string ownerId, int maxRunning)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunning, 1);
        var now = Now;
        var claimed = WithTransaction((c, tx) =>
        {
            var running = (long)c.Scalar(tx, "SELECT COUNT(*) FROM jobs WHERE device = @d AND state = 'running'", ("@d", device))!;
            if (running >= maxRunning)
            {
                return null;
            }
            var id = (string?)c.Scalar(tx, """
                SELECT id FROM jobs WHERE device = @d AND state = 'queued' AND available_at <= @now
                ORDER BY created_at, seq LIMIT 1
                """, ("@d", device), ("@now", now));
            if (id is null)
            {
                return null;
            }
            var claim = new JobTransition(id, JobState.Queued, JobState.Running, $"claimed by {ownerId}")
            {
                NewOwner = ownerId,
                AttemptDelta = 1,
            };
            return Apply(c, tx, claim, now) ? GetJob(c, tx, id) : null;
        });
        if (claimed is not null)
        {
            Raise(claimed.Id, JobChangeKind.StateChanged, JobState.Running);
        }
        return claimed;
    }

    public JobRecord? TryClaim(string jobId, string ownerId)
    {
        var now = Now;
        var claimed = WithTransaction((c, tx) =>
        {
            var job = GetJob(c, tx, jobId);
            if (job is { State: JobState.ValidatingFiles, OwnerId: null })
            {
                c.Exec(tx, "UPDATE jobs SET owner_id = @o, heartbeat_at = @now, updated_at = @now WHERE id = @id AND owner_id IS NULL",
                    ("@o", ownerId), ("@now", now), ("@id", jobId));
                return GetJob(c, tx, jobId);
            }
            if (job is not { State: JobState.Queued } || job.AvailableAt > now)
            {
                return null;
            }
            var claim = new JobTransition(jobId, JobState.Queued, JobState.Running, $"claimed by {ownerId}")
            {
                NewOwner = ownerId,
                AttemptDelta = 1,
            };
            return Apply(c, tx, claim, now) ? GetJob(c, tx, jobId) : null;
        });
        if (claimed is { State: JobState.Running })
        {
            Raise(jobId, JobChangeKind.StateChanged, JobState.Running);
        }
        return claimed;
    }

    public JobRecord? ClaimForValidation(string ownerId)
    {
        var now = Now;
        return WithTransaction((c, tx) =>
        {
            var id = (string?)c.Scalar(tx, """
                SELECT id FROM jobs WHERE state = 'validating_files' AND owner_id IS NULL
                ORDER BY created_at, seq LIMIT 1
                """);
            if (id is null)
            {
                return null;
            }
            c.Exec(tx, "UPDATE jobs SET owner_id = @o, heartbeat_at = @now, updated_at = @now WHERE id = @id AND owner_id IS NULL",
                ("@o", ownerId), ("@now", now), ("@id", id));
            return GetJob(c, tx, id);
        });
    }

    public bool? Heartbeat(string jobId, string ownerId, JobProgress? progress = null)
    {
        using var c = Open();
        var progressSql = progress is null ? "" : ", progress = @p";
        var cancel = c.Scalar(null, $"""
            UPDATE jobs SET heartbeat_at = @now{progressSql}
            WHERE id = @id AND owner_id = @o AND state IN ('running', 'validating_files')
            RETURNING cancel_requested
            """, ("@now", Now), ("@id", jobId), ("@o", ownerId),
            ("@p", progress is null ? null : PostgresRows.ProgressToJson(progress)));
        if (cancel is null)
        {
            return null;
        }
        if (progress is not null)
        {
            Raise(jobId, JobChangeKind.ProgressUpdated, null);
        }
        return Convert.ToInt64(cancel) != 0;
    }

    public CancelResult RequestCancel(string jobId, string reason = "cancelled by user")
    {
        var (result, state) = WithTransaction((c, tx) => CancelInTransaction(c, tx, jobId, reason));
        if (result == CancelResult.Cancelled)
        {
            Raise(jobId, JobChangeKind.StateChanged, JobState.Cancelled);
        }
        else if (result == CancelResult.CancelRequested)
        {
            Raise(jobId, JobChangeKind.CancelRequested, state);
        }
        return result;
    }

    private (CancelResult, JobState?) CancelInTransaction(NpgsqlConnection c, NpgsqlTransaction tx, string jobId, string reason)
    {
        var job = GetJob(c, tx, jobId);
        if (job is null)
        {
            return (CancelResult.NotFound, null);
        }
        if (job.State.IsFinal())
        {
            return (CancelResult.AlreadyFinal, job.State);
        }
        var now = Now;
        if (job.State == JobState.Running)
        {
            c.Exec(tx, "UPDATE jobs SET cancel_requested = 1, updated_at = @now WHERE id = @id", ("@now", now), ("@id", jobId));
            InsertEvent(c, tx, jobId, now, NewJobEvent.Info($"Cancel requested ({reason}); stopping after the current step."));
            return (CancelResult.CancelRequested, job.State);
        }
        var cancel = new JobTransition(jobId, job.State, JobState.Cancelled, reason) { Event = NewJobEvent.Info("Job cancelled.") };
        Apply(c, tx, cancel, now);
        return (CancelResult.Cancelled, JobState.Cancelled);
    }

    public IReadOnlyList<string> RecoverAbandoned(string currentOwnerId, TimeSpan? staleAfter = null)
    {
        var now = Now;
        var ownerIsGone = staleAfter is null
            ? "(owner_id IS DISTINCT FROM @cur)"
            : "(owner_id IS DISTINCT FROM @cur AND (heartbeat_at IS NULL OR heartbeat_at < @cutoff))";
        var cutoff = now - (long)(staleAfter?.TotalSeconds ?? 0);
        var recovered = WithTransaction((c, tx) =>
        {
            var orphans = c.Query(tx, $"SELECT {PostgresRows.JobColumns} FROM jobs WHERE state = 'running' AND {ownerIsGone}",
                PostgresRows.ReadJob, ("@cur", currentOwnerId), ("@cutoff", cutoff));
            var changes = orphans.Select(job => RecoverOne(c, tx, job, now)).ToList();
            // A validation taken by a dead worker is simply offered again.
            c.Exec(tx, $"UPDATE jobs SET owner_id = NULL, heartbeat_at = NULL WHERE state = 'validating_files' AND {ownerIsGone}",
                ("@cur", currentOwnerId), ("@cutoff", cutoff));
            return changes;
        });
        foreach (var (id, state) in recovered)
        {
            Raise(id, JobChangeKind.StateChanged, state);
        }
        return recovered.Select(r => r.Id).ToList();
    }

    private (string Id, JobState State) RecoverOne(NpgsqlConnection c, NpgsqlTransaction tx, JobRecord job, long now)
    {
        if (job.CancelRequested)
        {
            // The user asked to stop it before the process died: honour that rather than resume.
            Apply(c, tx, new JobTransition(job.Id, JobState.Running, JobState.Cancelled, "cancel requested; owner died")
            {
                Event = NewJobEvent.Info("Job cancelled."),
            }, now);
            return (job.Id, JobState.Cancelled);
        }
        if (job.Attempt >= job.MaxAttempts)
        {
            var message = $"The worker process died during the last of {job.MaxAttempts} attempts (owner {job.OwnerId}). " +
                "Check the service log for an out-of-memory kill or crash, then start a new job.";
            Apply(c, tx, new JobTransition(job.Id, JobState.Running, JobState.Failed, "owner died; no attempts left")
            {
                Error = new JobError("worker_died", message),
                Event = NewJobEvent.Error(message),
            }, now);
            return (job.Id, JobState.Failed);
        }
        Apply(c, tx, new JobTransition(job.Id, JobState.Running, JobState.Queued, $"recovered from dead owner {job.OwnerId}")
        {
            Event = NewJobEvent.Warn("Job resumed after restart: the worker that ran it stopped; it continues from its last complete checkpoint."),
        }, now);
        return (job.Id, JobState.Queued);
    }

    /// <summary>The single place that writes a state: optimistic on from-state (and owner), history in the same transaction.</summary>
    private static bool Apply(NpgsqlConnection c, NpgsqlTransaction tx, JobTransition t, long now)
    {
        JobStateMachine.EnsureAllowed(t.From, t.To);
        var sql = new StringBuilder("UPDATE jobs SET state = @to, updated_at = @now, attempt = GREATEST(0, attempt + @delta)");
        sql.Append(t.To == JobState.Running
            ? ", owner_id = @newOwner, heartbeat_at = @now, started_at = COALESCE(started_at, @now)"
            : ", owner_id = NULL, heartbeat_at = NULL");
        if (t.To.IsFinal())
        {
            sql.Append(", finished_at = @now");
        }
        if (t.To == JobState.Queued)
        {
            sql.Append(", available_at = @availableAt");
        }
        if (t.Error is not null)
        {
            sql.Append(", error_code = @errCode, error_message = @errMessage, error_param = @errParam");
        }
        if (t.ResultJson is not null)
        {
            sql.Append(", result = @result");
        }
        if (t.Progress is not null)
        {
            sql.Append(", progress = @progress");
        }
        sql.Append(" WHERE id = @id AND state = @from");
        if (t.ExpectedOwner is not null)
        {
            sql.Append(" AND owner_id = @expectedOwner");
        }
        var rows = c.Exec(tx, sql.ToString(),
            ("@to", t.To.ToWireName()), ("@from", t.From.ToWireName()), ("@id", t.JobId), ("@now", now),
            ("@delta", t.AttemptDelta), ("@newOwner", t.NewOwner), ("@expectedOwner", t.ExpectedOwner),
            ("@availableAt", now + (long)Math.Ceiling((t.Delay ?? TimeSpan.Zero).TotalSeconds)),
            ("@errCode", t.Error?.Code), ("@errMessage", t.Error?.Message), ("@errParam", t.Error?.Param),
            ("@result", t.ResultJson), ("@progress", t.Progress is null ? null : PostgresRows.ProgressToJson(t.Progress)));
        if (rows != 1)
        {
            return false;
        }
        InsertHistory(c, tx, t.JobId, now, t.From, t.To, t.Reason, t.NewOwner ?? t.ExpectedOwner);
        if (t.Event is not null)
        {
            InsertEvent(c, tx, t.JobId, now, t.Event);
        }
        return true;
    }

    private static void InsertHistory(
        NpgsqlConnection c, NpgsqlTransaction tx, string jobId, long now, JobState? from, JobState to, string reason, string? owner) =>
        c.Exec(tx, """
            INSERT INTO job_history (job_id, at, from_state, to_state, reason, owner_id)
            VALUES (@id, @now, @from, @to, @reason, @owner)
            """,
            ("@id", jobId), ("@now", now), ("@from", from?.ToWireName()), ("@to", to.ToWireName()),
            ("@reason", reason), ("@owner", owner));
}
