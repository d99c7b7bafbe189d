namespace LocalFineTune.Jobs;

public sealed record JobWorkerOptions
{
    /// <summary>This process's lease owner id. A new one per process, so a restart treats its old running jobs as orphans.</summary>
    public string OwnerId { get; init; } = JobIds.NewOwnerId();

    /// <summary>How many jobs may run at once on each device. One per device by default: a second training would only
    /// fight the first for memory.</summary>
    public IReadOnlyDictionary<string, int> DeviceConcurrency { get; init; } = new Dictionary<string, int> { ["cpu"] = 1 };

    /// <summary>How many validations run at once (they use no accelerator). 0 leaves validating_files jobs to another worker.</summary>
    public int ValidationConcurrency { get; init; } = 1;

    /// <summary>Fallback poll: enqueues in this process wake the worker at once; this catches other writers and back-offs.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Lease renewal; also when a cancel flag set by another process is noticed and pending progress flushed.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Minimum time between two progress writes of one job.</summary>
    public TimeSpan ProgressWriteInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before retrying after a transient failure, multiplied by the attempt number.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long StopAsync waits for executors to notice the token. Jobs still running then stay `running`
    /// and are recovered on the next start.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requeue orphaned running jobs on start.</summary>
    public bool RecoverOnStart { get; init; } = true;

    /// <summary>Null (embedded store, one worker process): every running job of another owner is an orphan at start.
    /// With several workers on one store, set it to a few heartbeat intervals: only silent owners are orphans.</summary>
    public TimeSpan? StaleAfter { get; init; }
}
