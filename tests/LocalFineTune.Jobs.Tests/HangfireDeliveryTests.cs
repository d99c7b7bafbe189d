using Hangfire;
using Hangfire.InMemory;

namespace LocalFineTune.Jobs.Tests;

/// <summary>At-least-once delivery: the runner claims through the state machine, so extra deliveries do nothing.</summary>
public sealed class HangfireDeliveryTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _db;

    public HangfireDeliveryTests() => _db = new TempStore(_clock);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void TryClaim_ClaimsOnce_WhenTheSameJobIsClaimedTwice()
    {
        var job = _db.Create();

        var first = _db.Store.TryClaim(job.Id, "w1");
        var second = _db.Store.TryClaim(job.Id, "w2");

        Assert.Equal((JobState.Running, 1, "w1"), (first!.State, first.Attempt, first.OwnerId));
        Assert.Null(second);
    }

    [Fact]
    public void TryClaim_ReturnsNull_WhenJobIsStillBackingOff()
    {
        var job = _db.Create();
        _db.Store.TryClaim(job.Id, "w1");
        _db.Store.Transition(new JobTransition(job.Id, JobState.Running, JobState.Queued, "transient") { Delay = TimeSpan.FromSeconds(30) });

        Assert.Null(_db.Store.TryClaim(job.Id, "w1"));
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(2, _db.Store.TryClaim(job.Id, "w1")!.Attempt);
    }

    [Fact]
    public void TryClaim_TakesValidationWithoutChangingState_WhenJobIsValidating()
    {
        var job = _db.Create(JobState.ValidatingFiles);

        var taken = _db.Store.TryClaim(job.Id, "w1");

        Assert.Equal((JobState.ValidatingFiles, "w1"), (taken!.State, taken.OwnerId));
        Assert.Null(_db.Store.TryClaim(job.Id, "w2"));
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("cuda:0", "cuda0")]
    [InlineData("CUDA:1", "cuda1")]
    public void ForDevice_GivesAValidHangfireQueueName_WhenDeviceHasAColon(string device, string queue) =>
        Assert.Equal(queue, JobQueues.ForDevice(device));

    [Fact]
    public void ForDevice_Throws_WhenNothingUsableRemains() =>
        Assert.Throws<ArgumentException>(() => JobQueues.ForDevice(":::"));
}

public sealed class DispatcherDeliveryTests : IDisposable
{
    private readonly TempStore _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Run_TrainsOnce_WhenHangfireDeliversTheSameJobThreeTimes()
    {
        using var storage = new InMemoryStorage();
        using var release = new ManualResetEventSlim();
        var executor = new DelegateExecutor(_ => release.Wait(Wait.Timeout));
        await using var dispatcher = new JobDispatcher(_db.Store, executor, Workers.FastOptions() with
        {
            Storage = storage,
            DeviceConcurrency = new Dictionary<string, int> { ["cpu"] = 2 },
        });
        await dispatcher.StartAsync();
        var job = _db.Create();
        Wait.ForState(_db.Store, job.Id, JobState.Running);

        Assert.False(dispatcher.Enqueue(job.Id)); // running: our enqueuer adds nothing
        dispatcher.Client.Enqueue<JobRunner>("cpu", r => r.Run(job.Id, CancellationToken.None));
        Thread.Sleep(300);
        release.Set();
        Wait.ForState(_db.Store, job.Id, JobState.Succeeded);
        dispatcher.Client.Enqueue<JobRunner>("cpu", r => r.Run(job.Id, CancellationToken.None));
        Thread.Sleep(300);

        Assert.Equal(1, executor.ExecuteCalls);
        Assert.Equal(1, _db.Store.GetRequired(job.Id).Attempt);
    }

    [Fact]
    public async Task Run_IsNotRetriedByHangfire_WhenTheExecutorFails()
    {
        // Hangfire's default is 10 retries; ours are in the store (here: 1 attempt, so the job fails once).
        var job = _db.Create(maxAttempts: 1);
        var executor = new DelegateExecutor(_ => throw new IOException("disk full"));
        await using var dispatcher = new JobDispatcher(_db.Store, executor, Workers.FastOptions());
        await dispatcher.StartAsync();

        var failed = Wait.ForState(_db.Store, job.Id, JobState.Failed);
        Thread.Sleep(300);

        Assert.Equal("retries_exhausted", failed.Error!.Code);
        Assert.Equal(1, executor.ExecuteCalls);
        var monitor = dispatcher.Storage.GetMonitoringApi();
        Assert.Equal(0, monitor.FailedCount());
    }

    [Fact]
    public async Task RequestCancel_ReachesTheTrainingLoopWithinASecond_WhenCancelledThroughTheStoreOfAnotherProcess()
    {
        var job = _db.Create();
        using var started = new ManualResetEventSlim();
        var stoppedAfter = TimeSpan.Zero;
        var executor = new DelegateExecutor(ctx =>
        {
            started.Set();
            ctx.CancellationToken.WaitHandle.WaitOne(Wait.Timeout);
            ctx.CancellationToken.ThrowIfCancellationRequested();
        });
        await using var dispatcher = new JobDispatcher(_db.Store, executor, Workers.FastOptions() with { HeartbeatInterval = TimeSpan.FromSeconds(1) });
        await dispatcher.StartAsync();
        Wait.For(started.WaitHandle, "executor to start");

        // A second store object on the same file raises no event in this one: only the heartbeat can see the flag.
        using var other = new Sqlite.SqliteJobStore(_db.DatabasePath);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        other.RequestCancel(job.Id);
        Wait.ForState(_db.Store, job.Id, JobState.Cancelled);
        stoppedAfter = watch.Elapsed;

        Assert.True(stoppedAfter < TimeSpan.FromSeconds(2.5), $"cancel took {stoppedAfter.TotalSeconds:0.00}s");
    }
}
