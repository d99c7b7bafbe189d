namespace LocalFineTune.Jobs;

/// <summary>
/// One state change, applied by <see cref="IJobStore.TryTransition"/> in one transaction: the from-state
/// (and owner, when given) is checked, the fields below are written, and a history row is appended.
/// </summary>
public sealed record JobTransition(string JobId, JobState From, JobState To, string Reason)
{
    /// <summary>When set, the job must also be held by this owner: a worker that lost its lease cannot finish a job.</summary>
    public string? ExpectedOwner { get; init; }
    /// <summary>The new lease owner (→ running). Any other target clears the lease.</summary>
    public string? NewOwner { get; init; }
    public JobError? Error { get; init; }
    public string? ResultJson { get; init; }
    public JobProgress? Progress { get; init; }
    /// <summary>Added to the attempt count: +1 on claim, -1 when a shutdown hands a job back (it was not the job's fault).</summary>
    public int AttemptDelta { get; init; }
    /// <summary>Back-off for a requeue: not claimable for this long.</summary>
    public TimeSpan? Delay { get; init; }
    /// <summary>Also append this event to the job's log, in the same transaction.</summary>
    public NewJobEvent? Event { get; init; }
}

public sealed record JobHistoryEntry(long Id, string JobId, long At, JobState? From, JobState To, string Reason, string? OwnerId);

public enum CancelResult
{
    /// <summary>It was validating or queued: now cancelled.</summary>
    Cancelled,
    /// <summary>It is running: the flag is set and the worker stops it; it ends cancelled.</summary>
    CancelRequested,
    /// <summary>Already succeeded/failed/cancelled: nothing changed.</summary>
    AlreadyFinal,
    NotFound,
}
