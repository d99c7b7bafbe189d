using System.Diagnostics;

namespace LocalFineTune.Jobs;

/// <summary>Why the job's token fired.</summary>
public enum JobStopReason { None, CancelRequested, Shutdown, LeaseLost }

/// <summary>
/// What an executor sees of its job: the record, a token, and the calls that report back. Thread-safe; progress writes
/// are throttled so the trainer may report every step.
/// </summary>
public sealed class JobExecution
{
    private readonly IJobStore _store;
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeSpan _progressInterval;
    private readonly object _progressLock = new();
    private JobProgress? _pendingProgress;
    private long _lastProgressWrite;
    private volatile string? _resultJson;
    private int _stopReason;

    internal JobExecution(IJobStore store, JobRecord job, TimeSpan progressInterval)
    {
        _store = store;
        Job = job;
        _progressInterval = progressInterval;
    }

    /// <summary>The job as it was claimed (state running, or validating_files during Validate).</summary>
    public JobRecord Job { get; }
    public string JobId => Job.Id;
    /// <summary>1 on the first run, 2+ on a retry or after a restart.</summary>
    public int Attempt => Job.Attempt;

    /// <summary>Fires on a cancel request, on worker shutdown or when the lease is lost. See <see cref="StopReason"/>.</summary>
    public CancellationToken CancellationToken => _cts.Token;
    public JobStopReason StopReason => (JobStopReason)Volatile.Read(ref _stopReason);

    /// <summary>True when an earlier run of this job got somewhere: resume instead of starting from zero.</summary>
    public bool IsResume => Attempt > 1 || LatestCheckpoint is not null || Job.ResumeFrom is not null;

    /// <summary>The newest recorded checkpoint, or null. Read from the store on each call.</summary>
    public JobCheckpoint? LatestCheckpoint => _store.ListCheckpoints(JobId, limit: 1).Items.FirstOrDefault();

    /// <summary>Throttled: at most one write per interval; the last value is flushed by the heartbeat and at the end.</summary>
    public void ReportProgress(JobProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_progressLock)
        {
            _pendingProgress = progress;
            if (Stopwatch.GetElapsedTime(_lastProgressWrite) < _progressInterval)
            {
                return;
            }
            _pendingProgress = null;
            _lastProgressWrite = Stopwatch.GetTimestamp();
        }
        _store.UpdateProgress(JobId, progress);
    }

    public JobEvent Log(string message, JobEventLevel level = JobEventLevel.Info, string? dataJson = null) =>
        _store.AppendEvent(JobId, new NewJobEvent(level, JobEventType.Message, message, dataJson));

    /// <summary>A metrics event (OpenAI type "metrics"), e.g. {"step":10,"train_loss":2.1}.</summary>
    public JobEvent LogMetrics(string message, string dataJson) =>
        _store.AppendEvent(JobId, NewJobEvent.Metrics(message, dataJson));

    /// <summary>Record a checkpoint only once it is completely written (rename into place first): resume trusts it.</summary>
    public JobCheckpoint AddCheckpoint(long stepNumber, string path, string? metricsJson = null) =>
        _store.AddCheckpoint(JobId, stepNumber, path, metricsJson);

    public IReadOnlyList<JobCheckpoint> ListCheckpoints(int limit = 100) => _store.ListCheckpoints(JobId, limit: limit).Items;

    public void SetResumeFrom(string? note) => _store.SetResumeFrom(JobId, note);

    /// <summary>The result JSON written with the succeeded transition (model path, fine_tuned_model, metrics).</summary>
    public void SetResult(string resultJson) => _resultJson = resultJson;

    internal string? ResultJson => _resultJson;

    internal JobProgress? TakePendingProgress()
    {
        lock (_progressLock)
        {
            var pending = _pendingProgress;
            _pendingProgress = null;
            if (pending is not null)
            {
                _lastProgressWrite = Stopwatch.GetTimestamp();
            }
            return pending;
        }
    }

    /// <summary>The first reason wins: a user cancel followed by shutdown still ends cancelled.</summary>
    internal void Stop(JobStopReason reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, (int)reason, (int)JobStopReason.None) == (int)JobStopReason.None)
        {
            // CancelAsync: run the executor's token callbacks off the caller's thread (a store event or the dispatcher).
            _ = _cts.CancelAsync();
        }
    }
}
