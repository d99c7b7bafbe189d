using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LocalFineTune.Jobs;

/// <summary>
/// Runs jobs through Hangfire: one Hangfire server per device queue (<see cref="JobQueues.ForDevice"/>) with one worker
/// each (one training per device, FIFO), one for validations, all calling <see cref="JobRunner.Run"/>. Hangfire's own
/// retries are off; our store keeps the record, the lease and the retry policy. Everything here is per instance (no
/// Hangfire global configuration), so several dispatchers can live in one process (tests).
/// </summary>
public sealed class JobDispatcher : IAsyncDisposable
{
    private readonly IJobStore _store;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, JobExecution> _runs = new();
    private readonly List<BackgroundJobServer> _servers = [];
    private readonly JobFilterCollection _filters = [];
    private readonly JobEnqueuer _enqueuer;
    private readonly JobRunner _runner;
    private readonly bool _ownsStorage;
    private Timer? _recovery;
    private volatile bool _stopping;
    private bool _started;

    public JobDispatcher(IJobStore store, IJobExecutor executor, JobDispatcherOptions? options = null, ILogger<JobDispatcher>? logger = null)
    {
        _store = store;
        Options = options ?? new JobDispatcherOptions();
        _log = (ILogger?)logger ?? NullLogger.Instance;
        if (Options.DeviceConcurrency.Values.Any(n => n < 1) || Options.ValidationConcurrency < 0)
        {
            throw new ArgumentException("DeviceConcurrency needs a concurrency of 1 or more per device, e.g. {\"cpu\": 1}; ValidationConcurrency 0 or more.", nameof(options));
        }
        _ownsStorage = Options.Storage is null;
        Storage = Options.Storage ?? new InMemoryStorage();
        // Hangfire retries a failing job 10 times by default; ours are in the store (JobRunner.OutcomeOf).
        _filters.Add(new AutomaticRetryAttribute { Attempts = 0 });
        Client = new BackgroundJobClient(Storage, _filters);
        _enqueuer = new JobEnqueuer(store, Client, _log);
        _runner = new JobRunner(store, executor, Options, _runs, () => _stopping, _log);
    }

    public JobDispatcherOptions Options { get; }

    /// <summary>Hangfire's storage (for the dashboard and recurring jobs).</summary>
    public JobStorage Storage { get; }

    /// <summary>Hangfire's client on <see cref="Storage"/>, with retries off.</summary>
    public IBackgroundJobClient Client { get; }

    /// <summary>The filters every job of this dispatcher gets (retries off).</summary>
    public IJobFilterProvider Filters => _filters;

    /// <summary>Ids of the jobs this process is running or validating right now.</summary>
    public IReadOnlyCollection<string> ActiveJobIds => _runs.Keys.ToList();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("The dispatcher is already started; create a new JobDispatcher to start again.");
        }
        _started = true;
        if (Options.RecoverOnStart)
        {
            Recover();
        }
        _store.Changed += OnStoreChanged;
        StartServers();
        if (Options.EnqueuePendingOnStart)
        {
            var count = _enqueuer.EnqueuePending();
            _log.LogInformation("Dispatcher started; {Count} waiting job(s) handed to Hangfire.", count);
        }
        if (Options.StaleAfter is not null && Options.DeviceConcurrency.Count > 0)
        {
            _recovery = new Timer(_ => Recover(), null, Options.RecoveryInterval, Options.RecoveryInterval);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops taking jobs, fires every running job's token (reason Shutdown) and waits up to StopTimeout for them to hand
    /// their jobs back to the queue.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_started || _stopping)
        {
            return;
        }
        _stopping = true;
        _recovery?.Dispose();
        foreach (var server in _servers)
        {
            server.SendStop();
        }
        foreach (var run in _runs.Values)
        {
            run.Stop(JobStopReason.Shutdown);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.StopTimeout);
        try
        {
            await Task.WhenAll(_servers.Select(s => s.WaitForShutdownAsync(timeout.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.LogWarning("Jobs {Jobs} did not stop within {Timeout}; they stay running and are resumed on the next start.",
                string.Join(", ", _runs.Keys), Options.StopTimeout);
        }
        // Unsubscribe last: a job handed back by the shutdown is enqueued again (durable storages keep it).
        _store.Changed -= OnStoreChanged;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var server in _servers)
        {
            // Returns at once after a completed shutdown; otherwise bounded by ShutdownTimeout (= StopTimeout).
            server.Dispose();
        }
        if (_ownsStorage && Storage is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Cancels through the store (so it is durable and reaches other processes) and stops the local run at once.</summary>
    public CancelResult RequestCancel(string jobId)
    {
        var result = _store.RequestCancel(jobId);
        if (result is CancelResult.CancelRequested or CancelResult.Cancelled && _runs.TryGetValue(jobId, out var run))
        {
            run.Stop(JobStopReason.CancelRequested);
        }
        return result;
    }

    /// <summary>Hands a waiting job to Hangfire again (e.g. one whose enqueue was lost). False when it waits for nothing.</summary>
    public bool Enqueue(string jobId) => _enqueuer.Enqueue(jobId);

    private void StartServers()
    {
        var queues = Options.DeviceConcurrency.Select(d => (Queue: JobQueues.ForDevice(d.Key), Workers: d.Value)).ToList();
        if (Options.ValidationConcurrency > 0)
        {
            queues.Add((JobQueues.Validation, Options.ValidationConcurrency));
        }
        var activator = new RunnerActivator(_runner, Options.Activate);
        foreach (var (queue, workers) in queues)
        {
            _servers.Add(new BackgroundJobServer(new BackgroundJobServerOptions
            {
                ServerName = $"{Options.OwnerId}:{queue}",
                Queues = [queue],
                WorkerCount = workers,
                // Only the first server runs Hangfire's schedulers (delayed jobs, recurring jobs) in this process.
                IsLightweightServer = _servers.Count > 0,
                SchedulePollingInterval = Options.SchedulePollingInterval,
                CancellationCheckInterval = TimeSpan.FromSeconds(1),
                ShutdownTimeout = Options.StopTimeout,
                FilterProvider = _filters,
                Activator = activator,
            }, Storage));
        }
    }

    private void Recover()
    {
        try
        {
            var recovered = _store.RecoverAbandoned(Options.OwnerId, Options.StaleAfter);
            if (recovered.Count > 0)
            {
                _log.LogInformation("Recovered {Count} job(s) whose worker stopped: {Jobs}", recovered.Count, string.Join(", ", recovered));
            }
        }
        catch (Exception e)
        {
            _log.LogError(e, "Recovering abandoned jobs failed; retrying later.");
        }
    }

    private void OnStoreChanged(object? sender, JobChangedEventArgs e)
    {
        // Runs on the committing thread: enqueue (cheap) and signal only.
        _enqueuer.OnStoreChanged(sender, e);
        var stoppedByUser = e.Kind == JobChangeKind.CancelRequested || (e.Kind == JobChangeKind.StateChanged && e.State == JobState.Cancelled);
        if (stoppedByUser && _runs.TryGetValue(e.JobId, out var run))
        {
            run.Stop(JobStopReason.CancelRequested);
        }
    }

    private sealed class RunnerActivator(JobRunner runner, Func<Type, object?>? activate) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(JobRunner) ? runner : activate?.Invoke(jobType) ?? base.ActivateJob(jobType);
    }
}
