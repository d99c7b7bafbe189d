using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LocalFineTune.Jobs;

/// <summary>
/// Claims jobs from the store and runs each on its own dedicated thread through <see cref="IJobExecutor"/>.
/// A dispatcher thread wakes on enqueue (store events) or every poll interval, renews leases, claims work, and
/// starts job threads; each job thread applies its own outcome (see <see cref="IJobExecutor"/> for the contract).
/// </summary>
public sealed partial class JobWorker : IAsyncDisposable
{
    private readonly IJobStore _store;
    private readonly IJobExecutor _executor;
    private readonly ILogger _log;
    private readonly AutoResetEvent _wake = new(false);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, JobRun> _runs = new();
    private Thread? _dispatcher;
    private long _lastHeartbeat;

    public JobWorker(IJobStore store, IJobExecutor executor, JobWorkerOptions? options = null, ILogger<JobWorker>? logger = null)
    {
        _store = store;
        _executor = executor;
        Options = options ?? new JobWorkerOptions();
        _log = (ILogger?)logger ?? NullLogger.Instance;
        if (Options.DeviceConcurrency.Count == 0 || Options.DeviceConcurrency.Values.Any(n => n < 1))
        {
            throw new ArgumentException("DeviceConcurrency needs at least one device, each with a concurrency of 1 or more, e.g. {\"cpu\": 1}.", nameof(options));
        }
    }

    public JobWorkerOptions Options { get; }

    /// <summary>Ids of the jobs this worker is running or validating right now.</summary>
    public IReadOnlyCollection<string> ActiveJobIds => _runs.Keys.ToList();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_dispatcher is not null)
        {
            throw new InvalidOperationException("The worker is already started; create a new JobWorker to start again.");
        }
        if (Options.RecoverOnStart)
        {
            RecoverOrphans();
        }
        _store.Changed += OnStoreChanged;
        _dispatcher = new Thread(DispatchLoop) { IsBackground = true, Name = "lft-jobs-dispatcher" };
        _dispatcher.Start();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops claiming, fires every running job's token (reason Shutdown) and waits up to StopTimeout for them to hand
    /// their jobs back to the queue.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_dispatcher is null || _stopping.IsCancellationRequested)
        {
            return;
        }
        _store.Changed -= OnStoreChanged;
        _stopping.Cancel();
        _wake.Set();
        foreach (var run in _runs.Values)
        {
            run.Context.Stop(JobStopReason.Shutdown);
        }
        await Task.Run(() => _dispatcher.Join(), cancellationToken).ConfigureAwait(false);
        foreach (var run in _runs.Values)
        {
            // Again: the dispatcher may have started a job between the first pass and its exit.
            run.Context.Stop(JobStopReason.Shutdown);
        }
        var pending = _runs.Values.Select(r => r.Completion.Task).ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(Options.StopTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.LogWarning("Jobs {Jobs} did not stop within {Timeout}; they stay running and are resumed on the next start.",
                string.Join(", ", _runs.Keys), Options.StopTimeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _wake.Dispose();
    }

    /// <summary>Wake the dispatcher now, e.g. after another process enqueued.</summary>
    public void Wake() => SignalDispatcher();

    private void SignalDispatcher()
    {
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // A job that outlived StopTimeout finishes after disposal: there is no dispatcher left to wake, and an
            // exception here would kill the process from a background thread.
        }
    }

    /// <summary>Cancels through the store (so it is durable) and stops the local thread at once when it runs here.</summary>
    public CancelResult RequestCancel(string jobId)
    {
        var result = _store.RequestCancel(jobId);
        if (result is CancelResult.CancelRequested or CancelResult.Cancelled && _runs.TryGetValue(jobId, out var run))
        {
            run.Context.Stop(JobStopReason.CancelRequested);
        }
        return result;
    }

    private void RecoverOrphans()
    {
        var recovered = _store.RecoverAbandoned(Options.OwnerId, Options.StaleAfter);
        if (recovered.Count > 0)
        {
            _log.LogInformation("Recovered {Count} job(s) left running by a previous process: {Jobs}", recovered.Count, string.Join(", ", recovered));
        }
    }

    private void OnStoreChanged(object? sender, JobChangedEventArgs e)
    {
        // Runs on the committing thread: only signal here, never do work.
        if (e.Kind == JobChangeKind.Created || e.State is JobState.Queued or JobState.ValidatingFiles)
        {
            SignalDispatcher();
        }
        var stoppedByUser = e.Kind == JobChangeKind.CancelRequested || (e.Kind == JobChangeKind.StateChanged && e.State == JobState.Cancelled);
        if (stoppedByUser && _runs.TryGetValue(e.JobId, out var run))
        {
            run.Context.Stop(JobStopReason.CancelRequested);
        }
    }

    private void DispatchLoop()
    {
        var stop = _stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                HeartbeatIfDue();
                ClaimValidations();
                ClaimJobs();
            }
            catch (Exception e)
            {
                // A locked or briefly unavailable database must not kill the worker: log and try again next tick.
                _log.LogError(e, "Job dispatcher iteration failed; retrying in {Interval}.", Options.PollInterval);
            }
            var wait = Options.PollInterval < Options.HeartbeatInterval ? Options.PollInterval : Options.HeartbeatInterval;
            WaitHandle.WaitAny([_wake, stop.WaitHandle], wait);
        }
    }

    private void ClaimJobs()
    {
        foreach (var (device, concurrency) in Options.DeviceConcurrency)
        {
            while (!_stopping.IsCancellationRequested && CountRuns(device, validation: false) < concurrency)
            {
                var job = _store.ClaimNext(device, Options.OwnerId, concurrency);
                if (job is null)
                {
                    break;
                }
                StartRun(job, validation: false);
            }
        }
    }

    private void ClaimValidations()
    {
        while (!_stopping.IsCancellationRequested && CountRuns(null, validation: true) < Options.ValidationConcurrency)
        {
            var job = _store.ClaimForValidation(Options.OwnerId);
            if (job is null)
            {
                return;
            }
            StartRun(job, validation: true);
        }
    }

    private int CountRuns(string? device, bool validation) =>
        _runs.Values.Count(r => r.IsValidation == validation && (device is null || r.Context.Job.Device == device));

    private void HeartbeatIfDue()
    {
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastHeartbeat) < Options.HeartbeatInterval)
        {
            return;
        }
        _lastHeartbeat = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var run in _runs.Values)
        {
            var cancelRequested = _store.Heartbeat(run.Context.JobId, Options.OwnerId, run.Context.TakePendingProgress());
            if (cancelRequested is null)
            {
                run.Context.Stop(JobStopReason.LeaseLost);
            }
            else if (cancelRequested.Value)
            {
                run.Context.Stop(JobStopReason.CancelRequested);
            }
        }
    }
}
