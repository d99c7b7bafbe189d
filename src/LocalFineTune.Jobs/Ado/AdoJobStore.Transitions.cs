namespace LocalFineTune.Jobs.Ado;

/// <summary>State changes and claims: each runs in one write transaction and goes through <see cref="Apply"/>.</summary>
public abstract partial class AdoJobStore
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
            ("@p", progress is null ? null : JobRows.ProgressToJson(progress)));
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
}
