using System.Diagnostics;
using LocalFineTune.Jobs.Sqlite;

namespace LocalFineTune.Jobs.Tests;

/// <summary>A store on its own temp file, deleted afterwards.</summary>
public sealed class TempStore : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lft-jobs-tests", Guid.NewGuid().ToString("N"));

    public TempStore(TimeProvider? time = null)
    {
        Clock = time;
        Store = new SqliteJobStore(DatabasePath, time);
    }

    public string DatabasePath => Path.Combine(_dir, "jobs.db");
    public TimeProvider? Clock { get; }
    public SqliteJobStore Store { get; private set; }

    /// <summary>Simulates a process restart: a fresh store object on the same file.</summary>
    public SqliteJobStore Reopen()
    {
        Store.Dispose();
        Store = new SqliteJobStore(DatabasePath, Clock);
        return Store;
    }

    public JobRecord Create(JobState initial = JobState.Queued, string device = "cpu",
        IReadOnlyDictionary<string, string>? metadata = null, int maxAttempts = 3) =>
        Store.Create(new NewJob
        {
            SpecJson = """{"model":"tiny-gpt2","dataset":"data.jsonl"}""",
            InitialState = initial,
            Device = device,
            Metadata = metadata,
            MaxAttempts = maxAttempts,
        });

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A worker thread may still hold a handle for a moment; the OS temp cleaner gets it.
        }
    }
}

/// <summary>A clock the test moves by hand, so created_at ties and heartbeat ages are deterministic.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualClock() : this(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>An executor built from delegates, counting its calls.</summary>
public sealed class DelegateExecutor(Action<JobExecution> execute, Action<JobExecution>? validate = null) : IJobExecutor
{
    private int _executeCalls;
    private int _validateCalls;

    public int ExecuteCalls => Volatile.Read(ref _executeCalls);
    public int ValidateCalls => Volatile.Read(ref _validateCalls);

    public void Execute(JobExecution context)
    {
        Interlocked.Increment(ref _executeCalls);
        execute(context);
    }

    public void Validate(JobExecution context)
    {
        Interlocked.Increment(ref _validateCalls);
        validate?.Invoke(context);
    }
}

public static class Wait
{
    /// <summary>Generous: CI is a busy 2-core machine. Polls cheaply; fails with what it was waiting for.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static void Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Timeout)
            {
                throw new TimeoutException($"Timed out after {Timeout.TotalSeconds}s waiting for: {what}");
            }
            Thread.Sleep(10);
        }
    }

    public static JobRecord ForState(IJobStore store, string jobId, JobState state)
    {
        Until(() => store.Get(jobId)?.State == state, $"job {jobId} to be {state.ToWireName()} (now {store.Get(jobId)?.State.ToWireName()})");
        return store.GetRequired(jobId);
    }

    public static void For(WaitHandle handle, string what)
    {
        if (!handle.WaitOne(Timeout))
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds}s waiting for: {what}");
        }
    }
}

public static class Workers
{
    public static JobDispatcherOptions FastOptions(string? owner = null) => new()
    {
        OwnerId = owner ?? JobIds.NewOwnerId(),
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        ProgressWriteInterval = TimeSpan.FromMilliseconds(50),
        RetryDelay = TimeSpan.Zero,
        StopTimeout = TimeSpan.FromSeconds(30),
    };
}
