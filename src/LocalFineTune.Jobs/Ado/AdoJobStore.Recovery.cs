using System.Data.Common;

namespace LocalFineTune.Jobs.Ado;

/// <summary>Cancellation, and recovery of the jobs of a process that died.</summary>
public abstract partial class AdoJobStore
{
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

    private (CancelResult, JobState?) CancelInTransaction(DbConnection c, DbTransaction tx, string jobId, string reason)
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
            ? $"(owner_id {_dialect.IsDistinctFrom} @cur)"
            : $"(owner_id {_dialect.IsDistinctFrom} @cur AND (heartbeat_at IS NULL OR heartbeat_at < @cutoff))";
        var cutoff = now - (long)(staleAfter?.TotalSeconds ?? 0);
        var recovered = WithTransaction((c, tx) =>
        {
            var orphans = c.Query(tx, $"SELECT {JobRows.JobColumns} FROM jobs WHERE state = 'running' AND {ownerIsGone}",
                JobRows.ReadJob, ("@cur", currentOwnerId), ("@cutoff", cutoff));
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

    private (string Id, JobState State) RecoverOne(DbConnection c, DbTransaction tx, JobRecord job, long now)
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
}
