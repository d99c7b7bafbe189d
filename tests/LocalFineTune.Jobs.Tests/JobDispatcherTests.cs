namespace LocalFineTune.Jobs.Tests;

public sealed class JobDispatcherTests : IDisposable
{
    private readonly TempStore _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<JobRecord> RunToState(IJobExecutor executor, string jobId, JobState state, JobDispatcherOptions? options = null)
    {
        await using var worker = new JobDispatcher(_db.Store, executor, options ?? Workers.FastOptions());
        await worker.StartAsync();
        return Wait.ForState(_db.Store, jobId, state);
    }

    [Fact]
    public async Task Execute_RunsOnDedicatedNonPoolThread_WhenJobIsClaimed()
    {
        var job = _db.Create();
        bool? onPoolThread = null;
        string? threadName = null;
        var executor = new DelegateExecutor(ctx =>
        {
            onPoolThread = Thread.CurrentThread.IsThreadPoolThread;
            threadName = Thread.CurrentThread.Name;
            ctx.SetResult("""{"model_path":"/models/x"}""");
        });

        var done = await RunToState(executor, job.Id, JobState.Succeeded);

        Assert.False(onPoolThread);
        Assert.StartsWith("lft-job ftjob-", threadName);
        Assert.Equal("""{"model_path":"/models/x"}""", done.ResultJson);
        Assert.NotNull(done.FinishedAt);
        Assert.Null(done.OwnerId);
    }

    [Fact]
    public async Task Worker_ValidatesThenRuns_WhenJobStartsInValidatingFiles()
    {
        var job = _db.Create(JobState.ValidatingFiles);
        var validateThreadWasPool = true;
        var executor = new DelegateExecutor(_ => { }, validate: _ => validateThreadWasPool = Thread.CurrentThread.IsThreadPoolThread);

        await RunToState(executor, job.Id, JobState.Succeeded);

        Assert.False(validateThreadWasPool);
        var states = _db.Store.GetHistory(job.Id).Select(h => h.To);
        Assert.Equal([JobState.ValidatingFiles, JobState.Queued, JobState.Running, JobState.Succeeded], states);
    }

    [Fact]
    public async Task Worker_FailsWithoutRunning_WhenValidationRejectsFiles()
    {
        var job = _db.Create(JobState.ValidatingFiles);
        var executor = new DelegateExecutor(_ => { },
            validate: _ => throw new JobValidationException("invalid_n_examples", "Training file has 3 examples; at least 10 are required.", "training_file"));

        var failed = await RunToState(executor, job.Id, JobState.Failed);

        Assert.Equal(new JobError("invalid_n_examples", "Training file has 3 examples; at least 10 are required.", "training_file"), failed.Error);
        Assert.Equal(0, executor.ExecuteCalls);
        Assert.Equal(1, executor.ValidateCalls);
    }

    [Fact]
    public async Task Execute_IsNotRetried_WhenItThrowsJobValidationException()
    {
        var job = _db.Create(maxAttempts: 3);
        var executor = new DelegateExecutor(_ => throw new JobValidationException("unknown_model", "No base model 'gpt9'.", "model"));

        var failed = await RunToState(executor, job.Id, JobState.Failed);

        Assert.Equal(("unknown_model", "model"), (failed.Error!.Code, failed.Error.Param));
        Assert.Equal(1, executor.ExecuteCalls);
        Assert.Equal(1, failed.Attempt);
    }

    [Fact]
    public async Task Execute_IsRetriedUpToMaxAttempts_WhenItKeepsFailingTransiently()
    {
        var job = _db.Create(maxAttempts: 3);
        var executor = new DelegateExecutor(_ => throw new IOException("disk hiccup"));

        var failed = await RunToState(executor, job.Id, JobState.Failed);

        Assert.Equal(3, executor.ExecuteCalls);
        Assert.Equal(3, failed.Attempt);
        Assert.Equal("retries_exhausted", failed.Error!.Code);
        Assert.Contains("disk hiccup", failed.Error.Message);
        Assert.Equal(2, _db.Store.GetHistory(job.Id).Count(h => h.From == JobState.Running && h.To == JobState.Queued));
    }

    [Fact]
    public async Task Execute_SucceedsOnRetry_WhenFirstAttemptFailsTransiently()
    {
        var job = _db.Create();
        var executor = new DelegateExecutor(ctx =>
        {
            if (ctx.Attempt == 1)
            {
                throw new IOException("network blip");
            }
        });

        var done = await RunToState(executor, job.Id, JobState.Succeeded);

        Assert.Equal(2, done.Attempt);
        Assert.Contains(_db.Store.ListEvents(job.Id).Items, e => e.Level == JobEventLevel.Warn && e.Message.Contains("network blip"));
    }

    [Fact]
    public async Task RequestCancel_EndsRunningJobCancelled_WhenExecutorHonoursToken()
    {
        var job = _db.Create();
        using var started = new ManualResetEventSlim();
        JobStopReason reason = default;
        var executor = new DelegateExecutor(ctx =>
        {
            started.Set();
            ctx.CancellationToken.WaitHandle.WaitOne(Wait.Timeout);
            reason = ctx.StopReason;
            ctx.CancellationToken.ThrowIfCancellationRequested();
        });
        await using var worker = new JobDispatcher(_db.Store, executor, Workers.FastOptions());
        await worker.StartAsync();
        Wait.For(started.WaitHandle, "executor to start");

        Assert.Equal(CancelResult.CancelRequested, worker.RequestCancel(job.Id));

        var cancelled = Wait.ForState(_db.Store, job.Id, JobState.Cancelled);
        Assert.Equal(JobStopReason.CancelRequested, reason);
        Assert.NotNull(cancelled.FinishedAt);
    }

    [Fact]
    public async Task StoreRequestCancel_StopsRunningJob_WhenCalledWithoutTheWorker()
    {
        var job = _db.Create();
        using var started = new ManualResetEventSlim();
        var executor = new DelegateExecutor(ctx =>
        {
            started.Set();
            ctx.CancellationToken.WaitHandle.WaitOne(Wait.Timeout);
            ctx.CancellationToken.ThrowIfCancellationRequested();
        });
        await using var worker = new JobDispatcher(_db.Store, executor, Workers.FastOptions());
        await worker.StartAsync();
        Wait.For(started.WaitHandle, "executor to start");

        _db.Store.RequestCancel(job.Id);

        Wait.ForState(_db.Store, job.Id, JobState.Cancelled);
    }

    [Fact]
    public async Task RequestCancel_CancelsQueuedJobWithoutRunningIt_WhenDeviceIsBusy()
    {
        var blocker = _db.Create();
        var queued = _db.Create();
        using var started = new ManualResetEventSlim();
        var executor = new DelegateExecutor(ctx =>
        {
            started.Set();
            ctx.CancellationToken.WaitHandle.WaitOne(Wait.Timeout);
        });
        await using var worker = new JobDispatcher(_db.Store, executor, Workers.FastOptions());
        await worker.StartAsync();
        Wait.For(started.WaitHandle, "first job to start");

        Assert.Equal(CancelResult.Cancelled, worker.RequestCancel(queued.Id));
        worker.RequestCancel(blocker.Id);

        Wait.ForState(_db.Store, blocker.Id, JobState.Cancelled);
        Assert.Equal(1, executor.ExecuteCalls);
        Assert.Equal(JobState.Cancelled, _db.Store.GetRequired(queued.Id).State);
    }

    [Fact]
    public async Task Worker_RunsOneJobAtATimePerDevice_WhenSeveralAreQueued()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => _db.Create().Id).ToList();
        var gpu = _db.Create(device: "cuda:0");
        var running = 0;
        var maxCpuRunning = 0;
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var executor = new DelegateExecutor(ctx =>
        {
            if (ctx.Job.Device != "cpu")
            {
                return;
            }
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxCpuRunning, now);
            order.Enqueue(ctx.JobId);
            Thread.Sleep(50); // Widens the window in which a second claim would show; correctness does not depend on it.
            Interlocked.Decrement(ref running);
        });
        var options = Workers.FastOptions() with
        {
            DeviceConcurrency = new Dictionary<string, int> { ["cpu"] = 1, ["cuda:0"] = 1 },
        };
        await using var worker = new JobDispatcher(_db.Store, executor, options);
        await worker.StartAsync();

        foreach (var id in ids.Append(gpu.Id))
        {
            Wait.ForState(_db.Store, id, JobState.Succeeded);
        }

        Assert.Equal(1, maxCpuRunning);
        Assert.Equal(ids, order);
    }

    [Fact]
    public async Task Worker_WakesImmediately_WhenJobIsEnqueuedAfterStart()
    {
        var options = Workers.FastOptions() with { HeartbeatInterval = TimeSpan.FromMinutes(10) };
        var executor = new DelegateExecutor(_ => { });
        await using var worker = new JobDispatcher(_db.Store, executor, options);
        await worker.StartAsync();

        var job = _db.Create();

        Wait.ForState(_db.Store, job.Id, JobState.Succeeded);
    }

    [Fact]
    public async Task ReportProgress_StoresLatestProgress_WhenJobFinishes()
    {
        var job = _db.Create();
        var executor = new DelegateExecutor(ctx =>
        {
            for (var step = 1; step <= 100; step++)
            {
                ctx.ReportProgress(new JobProgress { Fraction = step / 100.0, Step = step, TotalSteps = 100, Loss = 3.0 / step });
            }
            ctx.LogMetrics("step 100", """{"step":100,"train_loss":0.03}""");
        });

        var done = await RunToState(executor, job.Id, JobState.Succeeded);

        Assert.Equal((100L, 1.0), (done.Progress!.Step, done.Progress.Fraction));
        Assert.Contains(_db.Store.ListEvents(job.Id).Items, e => e.Type == JobEventType.Metrics);
    }

    [Fact]
    public async Task StopAsync_RequeuesRunningJobWithoutSpendingAnAttempt_WhenWorkerShutsDown()
    {
        var job = _db.Create();
        using var started = new ManualResetEventSlim();
        var executor = new DelegateExecutor(ctx =>
        {
            started.Set();
            ctx.CancellationToken.WaitHandle.WaitOne(Wait.Timeout);
            ctx.CancellationToken.ThrowIfCancellationRequested();
        });
        var worker = new JobDispatcher(_db.Store, executor, Workers.FastOptions());
        await worker.StartAsync();
        Wait.For(started.WaitHandle, "executor to start");

        await worker.DisposeAsync();

        var after = _db.Store.GetRequired(job.Id);
        Assert.Equal((JobState.Queued, 0), (after.State, after.Attempt));
        Assert.Contains(_db.Store.ListEvents(job.Id).Items, e => e.Message.Contains("shutdown"));
    }

    [Fact]
    public async Task DisposeAsync_LeavesTheProcessAlive_WhenAJobFinishesAfterStopTimeout()
    {
        _db.Create();
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var finished = new ManualResetEventSlim();
        var executor = new DelegateExecutor(ctx =>
        {
            started.Set();
            release.Wait(Wait.Timeout); // ignores the shutdown token, like a step that cannot be interrupted
            finished.Set();
        });
        var worker = new JobDispatcher(_db.Store, executor, Workers.FastOptions() with { StopTimeout = TimeSpan.FromMilliseconds(100) });
        await worker.StartAsync();
        Wait.For(started.WaitHandle, "executor to start");

        await worker.DisposeAsync();
        release.Set();
        Wait.For(finished.WaitHandle, "executor to finish");
        // The run thread now records the outcome and signals the (disposed) dispatcher. Before the fix, that signal
        // threw ObjectDisposedException on a background thread and crashed the whole test host.
        await Task.Delay(500);
        Assert.Empty(worker.ActiveJobIds);
    }

    [Fact]
    public async Task StartAsync_ResumesOrphanedJobFromCheckpoint_WhenPreviousProcessDied()
    {
        // The "previous process" claimed the job, saved a checkpoint and died (kill -9): no outcome was recorded.
        var job = _db.Create();
        _db.Store.ClaimNext("cpu", "host:12345:deadbeef", 1);
        _db.Store.AddCheckpoint(job.Id, 40, "/state/ckpt-40", """{"train_loss":1.1}""");
        _db.Store.SetResumeFrom(job.Id, "/state/ckpt-40");
        var store = _db.Reopen();
        JobCheckpoint? resumedFrom = null;
        var wasResume = false;
        var executor = new DelegateExecutor(ctx =>
        {
            wasResume = ctx.IsResume;
            resumedFrom = ctx.LatestCheckpoint;
            ctx.AddCheckpoint(80, "/state/ckpt-80");
        });

        await using var worker = new JobDispatcher(store, executor, Workers.FastOptions());
        await worker.StartAsync();
        var done = Wait.ForState(store, job.Id, JobState.Succeeded);

        Assert.True(wasResume);
        Assert.Equal((40L, "/state/ckpt-40"), (resumedFrom!.StepNumber, resumedFrom.Path));
        Assert.Equal(2, done.Attempt);
        Assert.Equal("/state/ckpt-40", done.ResumeFrom);
        Assert.Equal([80L, 40L], store.ListCheckpoints(job.Id).Items.Select(c => c.StepNumber));
        Assert.Contains(store.ListEvents(job.Id, limit: 100).Items, e => e.Message.Contains("resumed after restart"));
    }

    [Fact]
    public async Task Heartbeat_StopsExecutor_WhenAnotherWorkerTookTheLease()
    {
        var job = _db.Create();
        using var started = new ManualResetEventSlim();
        JobStopReason reason = default;
        var executor = new DelegateExecutor(ctx =>
        {
            if (ctx.Attempt > 1)
            {
                return; // The rerun after the requeue: finish at once.
            }
            started.Set();
            ctx.CancellationToken.WaitHandle.WaitOne(Wait.Timeout);
            reason = ctx.StopReason;
            ctx.CancellationToken.ThrowIfCancellationRequested();
        });
        await using var worker = new JobDispatcher(_db.Store, executor, Workers.FastOptions());
        await worker.StartAsync();
        Wait.For(started.WaitHandle, "executor to start");

        // Another worker decided this one is dead and requeued the job.
        _db.Store.RecoverAbandoned("other-worker");
        Wait.ForState(_db.Store, job.Id, JobState.Succeeded);

        Assert.Equal(JobStopReason.LeaseLost, reason);
        Assert.Equal(2, executor.ExecuteCalls);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
