namespace LocalFineTune.Jobs;

/// <summary>
/// The durable job store. Kept narrow so a PostgreSQL store shared by several worker machines can replace the
/// embedded SQLite one: every method is one short transaction, and nothing leaks SQL types.
/// Every state change goes through <see cref="TryTransition"/> (or the methods built on it).
/// Implementations must be safe to call from any thread.
/// </summary>
public interface IJobStore : IDisposable
{
    /// <summary>Raised after a change commits. A multi-process store raises it for its own changes only (or via LISTEN/NOTIFY).</summary>
    event EventHandler<JobChangedEventArgs>? Changed;

    /// <summary>Creates the job in its initial state and appends the first history row. Throws ArgumentException on bad input.</summary>
    JobRecord Create(NewJob job);

    JobRecord? Get(string id);

    /// <summary>Newest first. Throws ArgumentException when <c>After</c> names no job.</summary>
    Page<JobRecord> List(JobListQuery query);

    /// <summary>
    /// The one state changer. Returns false when the job is not in <c>From</c> (or not held by <c>ExpectedOwner</c>):
    /// nothing is written then. Throws <see cref="InvalidJobTransitionException"/> when From→To is never allowed.
    /// </summary>
    bool TryTransition(JobTransition transition);

    /// <summary>Oldest first: the job's whole state history.</summary>
    IReadOnlyList<JobHistoryEntry> GetHistory(string jobId);

    /// <summary>
    /// Atomically moves the oldest claimable queued job of <paramref name="device"/> to running under
    /// <paramref name="ownerId"/> (attempt + 1), unless the device already runs <paramref name="maxRunning"/> jobs.
    /// Null when there is nothing to claim.
    /// </summary>
    JobRecord? ClaimNext(string device, string ownerId, int maxRunning);

    /// <summary>
    /// Takes this one job for its next step, atomically: an unowned validating_files job is marked taken by
    /// <paramref name="ownerId"/> (it stays validating_files); a queued job whose back-off has passed moves to running
    /// (attempt + 1). Null when the job is in any other state, already taken or still backing off: the caller does
    /// nothing then, which makes a second delivery of the same job by the dispatcher harmless.
    /// </summary>
    JobRecord? TryClaim(string jobId, string ownerId);

    /// <summary>
    /// Takes the oldest unowned validating_files job for validation (the state stays validating_files; the owner
    /// marks it taken). Null when there is none.
    /// </summary>
    JobRecord? ClaimForValidation(string ownerId);

    /// <summary>
    /// Renews the lease and, when given, writes the latest progress in the same UPDATE.
    /// Returns null when the job is no longer running under this owner (lease lost), else whether a cancel was requested.
    /// </summary>
    bool? Heartbeat(string jobId, string ownerId, JobProgress? progress = null);

    /// <summary>Overwrites the progress snapshot (cheap: one UPDATE, no history).</summary>
    void UpdateProgress(string jobId, JobProgress progress);

    /// <summary>Records where a rerun should resume; the executor's note, kept across requeues.</summary>
    void SetResumeFrom(string jobId, string? note);

    /// <summary>validating/queued → cancelled at once; running → the cancel flag is set for the worker.</summary>
    CancelResult RequestCancel(string jobId, string reason = "cancelled by user");

    /// <summary>
    /// Requeues running jobs whose owner is gone: with <paramref name="staleAfter"/> null, every running job not owned by
    /// <paramref name="currentOwnerId"/> (embedded store: one process); otherwise those whose heartbeat is older than that.
    /// A job that already used all its attempts fails instead, so a job that kills the process cannot loop forever.
    /// Returns the affected jobs' ids.
    /// </summary>
    IReadOnlyList<string> RecoverAbandoned(string currentOwnerId, TimeSpan? staleAfter = null);

    JobEvent AppendEvent(string jobId, NewJobEvent newEvent);

    /// <summary>Newest first (OpenAI paging): events older than event id <paramref name="after"/>.</summary>
    Page<JobEvent> ListEvents(string jobId, long? after = null, int limit = 20);

    /// <summary>Oldest first, ids greater than <paramref name="sinceId"/>: for server-sent event streams.</summary>
    IReadOnlyList<JobEvent> ReadEventsSince(string jobId, long sinceId, int limit = 100);

    JobCheckpoint AddCheckpoint(string jobId, long stepNumber, string path, string? metricsJson = null);

    /// <summary>Newest first (OpenAI paging) after checkpoint id <paramref name="after"/>.</summary>
    Page<JobCheckpoint> ListCheckpoints(string jobId, long? after = null, int limit = 10);
}

public static class JobStoreExtensions
{
    /// <summary>Like <see cref="IJobStore.TryTransition"/> but throws <see cref="JobStateConflictException"/> on a mismatch.</summary>
    public static JobRecord Transition(this IJobStore store, JobTransition transition)
    {
        if (!store.TryTransition(transition))
        {
            var actual = store.Get(transition.JobId);
            if (actual is null)
            {
                throw new JobNotFoundException(transition.JobId);
            }
            throw new JobStateConflictException(transition.JobId, transition.From, actual.State);
        }
        return store.Get(transition.JobId) ?? throw new JobNotFoundException(transition.JobId);
    }

    public static JobRecord GetRequired(this IJobStore store, string id) =>
        store.Get(id) ?? throw new JobNotFoundException(id);
}
