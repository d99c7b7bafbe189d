using Hangfire;
using Microsoft.Extensions.Logging;

namespace LocalFineTune.Jobs;

/// <summary>
/// Hands jobs to Hangfire: a job that becomes validating_files goes to the validation queue, one that becomes queued to
/// its device's queue (delayed by its back-off). It listens to the store, so every way a job is created or requeued
/// (both APIs, schedules, retries, recovery) is dispatched the same way. Enqueueing twice is harmless: the runner claims
/// through the state machine.
/// </summary>
public sealed class JobEnqueuer(IJobStore store, IBackgroundJobClient client, ILogger log)
{
    private const int PageSize = 500;

    public void OnStoreChanged(object? sender, JobChangedEventArgs e)
    {
        if (e.Kind is JobChangeKind.Created or JobChangeKind.StateChanged && e.State is JobState.Queued or JobState.ValidatingFiles)
        {
            TryEnqueue(e.JobId);
        }
    }

    /// <summary>Enqueues every job waiting in our store, oldest first (queued before validating): after a restart of a
    /// process whose Hangfire storage did not survive, or to repair a lost enqueue.</summary>
    public int EnqueuePending()
    {
        var pending = Oldest(JobState.Queued).Concat(Oldest(JobState.ValidatingFiles)).ToList();
        foreach (var job in pending)
        {
            TryEnqueue(job.Id);
        }
        return pending.Count;
    }

    /// <summary>Enqueues the job for its current state; false when it waits for nothing (running or final).</summary>
    public bool Enqueue(string jobId)
    {
        var job = store.GetRequired(jobId);
        var id = job.Id;
        if (job.State == JobState.ValidatingFiles)
        {
            client.Enqueue<JobRunner>(JobQueues.Validation, r => r.Run(id, CancellationToken.None));
            return true;
        }
        if (job.State != JobState.Queued)
        {
            return false;
        }
        var queue = JobQueues.ForDevice(job.Device);
        var wait = DateTimeOffset.FromUnixTimeSeconds(job.AvailableAt) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            client.Schedule<JobRunner>(queue, r => r.Run(id, CancellationToken.None), wait);
        }
        else
        {
            client.Enqueue<JobRunner>(queue, r => r.Run(id, CancellationToken.None));
        }
        return true;
    }

    private void TryEnqueue(string jobId)
    {
        try
        {
            Enqueue(jobId);
        }
        catch (Exception e)
        {
            // Runs on the thread that committed the change: never throw there. The job stays queued in our store
            // and is enqueued again by the next start's sweep.
            log.LogError(e, "Could not hand job {JobId} to Hangfire; it is enqueued again at the next start.", jobId);
        }
    }

    private List<JobRecord> Oldest(JobState state)
    {
        var all = new List<JobRecord>();
        string? after = null;
        while (true)
        {
            var page = store.List(new JobListQuery { State = state, After = after, Limit = PageSize });
            all.AddRange(page.Items);
            if (!page.HasMore || page.Items.Count == 0)
            {
                break;
            }
            after = page.Items[^1].Id;
        }
        all.Reverse();
        return all;
    }
}
