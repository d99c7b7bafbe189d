using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LocalFineTune.Jobs;

/// <summary>
/// The one entry point Hangfire calls for every job: <see cref="Run"/> with our job id. Hangfire only carries the id
/// and picks the worker (one queue per device); the job's spec, state, lease and outcome live in <see cref="IJobStore"/>.
/// Delivery is at least once (a crash, a restart, a second enqueue), so Run first claims the job through the state
/// machine: a delivery that finds the job already taken, finished or backing off does nothing. A rerun of an orphaned
/// job resumes from its last complete checkpoint (<see cref="JobExecution.IsResume"/>).
/// </summary>
public sealed partial class JobRunner
{
    private readonly IJobStore _store;
    private readonly IJobExecutor _executor;
    private readonly JobDispatcherOptions _options;
    private readonly ConcurrentDictionary<string, JobExecution> _runs;
    private readonly Func<bool> _isStopping;
    private readonly ILogger _log;

    internal JobRunner(IJobStore store, IJobExecutor executor, JobDispatcherOptions options,
        ConcurrentDictionary<string, JobExecution> runs, Func<bool> isStopping, ILogger log)
    {
        _store = store;
        _executor = executor;
        _options = options;
        _runs = runs;
        _isStopping = isStopping;
        _log = log;
    }

    /// <summary>
    /// Validates or trains job <paramref name="jobId"/>, whichever its state asks for. <paramref name="cancellationToken"/>
    /// is Hangfire's: it fires on shutdown (the job goes back to the queue) or when the job is deleted in the dashboard
    /// (the job is cancelled). Never throws for the job's own failures: those are recorded in our store.
    /// Keep this signature: Hangfire stores jobs by type and method name.
    /// </summary>
    public void Run(string jobId, CancellationToken cancellationToken)
    {
        var job = Claim(jobId);
        if (job is null)
        {
            return;
        }
        var validation = job.State == JobState.ValidatingFiles;
        var ctx = new JobExecution(_store, job, _options.ProgressWriteInterval);
        _runs[jobId] = ctx;
        try
        {
            if (job.CancelRequested)
            {
                ctx.Stop(JobStopReason.CancelRequested);
            }
            using var registration = cancellationToken.Register(() => OnHangfireCancel(ctx));
            var error = RunOnJobThread(ctx, validation);
            if (validation)
            {
                FinishValidation(ctx, error);
            }
            else
            {
                FinishExecution(ctx, error);
            }
        }
        catch (Exception e)
        {
            // The store failed while recording the outcome: the job stays running under our lease and is recovered
            // (next start, or another worker once the lease is stale).
            _log.LogError(e, "Could not record the outcome of job {JobId}; it will be recovered.", jobId);
        }
        finally
        {
            _runs.TryRemove(new KeyValuePair<string, JobExecution>(jobId, ctx));
        }
    }

    private JobRecord? Claim(string jobId)
    {
        var job = _store.Get(jobId);
        if (job is null)
        {
            _log.LogWarning("Hangfire delivered job {JobId}, which the store does not know; ignoring it.", jobId);
            return null;
        }
        if (job.OwnerId is { } owner && owner != _options.OwnerId && _options.StaleAfter is { } staleAfter &&
            job.HeartbeatAt is { } beat && DateTimeOffset.UtcNow.ToUnixTimeSeconds() - beat > staleAfter.TotalSeconds)
        {
            // Redelivered after its worker died: take it over now rather than at the next recovery sweep.
            _store.RecoverAbandoned(_options.OwnerId, staleAfter);
        }
        var claimed = _store.TryClaim(jobId, _options.OwnerId);
        if (claimed is null)
        {
            _log.LogDebug("Job {JobId} delivered again while {State}; nothing to do.", jobId, _store.Get(jobId)?.State.ToWireName());
        }
        return claimed;
    }

    /// <summary>
    /// The executor runs on a fresh dedicated thread, not Hangfire's worker thread: libtorch grad mode and our tensor
    /// disposal scopes are per thread, and each job starts from a clean one. The worker thread renews the lease meanwhile.
    /// </summary>
    private Exception? RunOnJobThread(JobExecution ctx, bool validation)
    {
        Exception? error = null;
        var thread = new Thread(() => error = Invoke(ctx, validation))
        {
            IsBackground = true,
            Name = $"lft-job {ctx.JobId}",
        };
        thread.Start();
        while (!thread.Join(_options.HeartbeatInterval))
        {
            Heartbeat(ctx);
        }
        return error;
    }

    private Exception? Invoke(JobExecution ctx, bool validation)
    {
        try
        {
            if (validation)
            {
                _executor.Validate(ctx);
            }
            else
            {
                _executor.Execute(ctx);
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private void Heartbeat(JobExecution ctx)
    {
        bool? cancelRequested;
        try
        {
            cancelRequested = _store.Heartbeat(ctx.JobId, _options.OwnerId, ctx.TakePendingProgress());
        }
        catch (Exception e)
        {
            // A database briefly away (restart, lock) must not stop a healthy training: try again next beat.
            _log.LogWarning(e, "Job {JobId}: could not renew the lease; retrying.", ctx.JobId);
            return;
        }
        if (cancelRequested is null)
        {
            ctx.Stop(JobStopReason.LeaseLost);
        }
        else if (cancelRequested.Value)
        {
            ctx.Stop(JobStopReason.CancelRequested);
        }
    }

    private void OnHangfireCancel(JobExecution ctx)
    {
        if (_isStopping())
        {
            ctx.Stop(JobStopReason.Shutdown);
            return;
        }
        // Not our shutdown: someone deleted the Hangfire job (dashboard). Treat it as a cancel, durably.
        _store.RequestCancel(ctx.JobId, "deleted in the Hangfire dashboard");
        ctx.Stop(JobStopReason.CancelRequested);
    }
}
