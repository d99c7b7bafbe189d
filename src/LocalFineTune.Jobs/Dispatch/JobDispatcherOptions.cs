using Hangfire;

namespace LocalFineTune.Jobs;

public sealed record JobDispatcherOptions
{
    /// <summary>This process's lease owner id. A new one per process, so a restart treats its old running jobs as orphans.</summary>
    public string OwnerId { get; init; } = JobIds.NewOwnerId();

    /// <summary>The devices this process trains on, each with its Hangfire queue and that many workers. One per device
    /// by default: a second training would only fight the first for memory. Empty: this process trains nothing (API role).</summary>
    public IReadOnlyDictionary<string, int> DeviceConcurrency { get; init; } = new Dictionary<string, int> { ["cpu"] = 1 };

    /// <summary>How many validations run at once (they use no accelerator), on their own queue so they never wait behind
    /// a training. 0 leaves validating_files jobs to another process. Two by default: one slow dataset (until its timeout or
    /// cancel) must not hold every later job's validation.</summary>
    public int ValidationConcurrency { get; init; } = 2;

    /// <summary>Lease renewal while a job runs; also how often a cancel flag set by another process is noticed (so a
    /// cancel reaches the training loop within about this long) and pending progress is flushed.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Minimum time between two progress writes of one job.</summary>
    public TimeSpan ProgressWriteInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before retrying after a transient failure, multiplied by the attempt number (our retry policy;
    /// Hangfire's own retries are off).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long StopAsync waits for executors to notice the token. Jobs still running then stay `running`
    /// and are recovered on the next start.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requeue orphaned running jobs on start.</summary>
    public bool RecoverOnStart { get; init; } = true;

    /// <summary>Null (embedded store, one process per state folder): every running job of another owner is an orphan at
    /// start. With several workers on one store, set it to a few heartbeat intervals: only silent owners are orphans,
    /// and the worker looks for them every <see cref="RecoveryInterval"/>.</summary>
    public TimeSpan? StaleAfter { get; init; }

    /// <summary>With <see cref="StaleAfter"/>: how often this worker requeues jobs whose owner went silent.</summary>
    public TimeSpan RecoveryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Re-enqueue every validating/queued job of our store at start. Needed when Hangfire's storage does not
    /// survive a restart (in-memory); harmless otherwise, since a second delivery of a job does nothing.</summary>
    public bool EnqueuePendingOnStart { get; init; } = true;

    /// <summary>Hangfire's storage; null: a fresh in-memory storage owned by the dispatcher.</summary>
    public JobStorage? Storage { get; init; }

    /// <summary>Builds the object of a Hangfire job of another type than JobRunner (the service's schedule trigger, a
    /// recurring job); null or a null answer: Hangfire's default activation (a parameterless constructor).</summary>
    public Func<Type, object?>? Activate { get; init; }

    /// <summary>How often Hangfire moves due delayed jobs (retry back-offs) to their queue.</summary>
    public TimeSpan SchedulePollingInterval { get; init; } = TimeSpan.FromSeconds(1);
}
