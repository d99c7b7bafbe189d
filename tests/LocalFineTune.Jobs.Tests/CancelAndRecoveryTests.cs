namespace LocalFineTune.Jobs.Tests;

public sealed class CancelAndRecoveryTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _db;

    public CancelAndRecoveryTests() => _db = new TempStore(_clock);

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.ValidatingFiles)]
    public void RequestCancel_CancelsAtOnce_WhenJobHasNotStarted(JobState initial)
    {
        var job = _db.Create(initial);

        var result = _db.Store.RequestCancel(job.Id);

        Assert.Equal(CancelResult.Cancelled, result);
        var after = _db.Store.GetRequired(job.Id);
        Assert.Equal(JobState.Cancelled, after.State);
        Assert.NotNull(after.FinishedAt);
        Assert.Equal((initial, JobState.Cancelled), (_db.Store.GetHistory(job.Id)[^1].From!.Value, _db.Store.GetHistory(job.Id)[^1].To));
    }

    [Fact]
    public void RequestCancel_SetsFlagAndKeepsRunning_WhenJobIsRunning()
    {
        var job = _db.Create();
        _db.Store.ClaimNext("cpu", "w1", 1);
        JobChangedEventArgs? raised = null;
        _db.Store.Changed += (_, e) => raised = e;

        var result = _db.Store.RequestCancel(job.Id);

        Assert.Equal(CancelResult.CancelRequested, result);
        var after = _db.Store.GetRequired(job.Id);
        Assert.Equal((JobState.Running, true), (after.State, after.CancelRequested));
        Assert.Equal(JobChangeKind.CancelRequested, raised!.Kind);
        Assert.True(_db.Store.Heartbeat(job.Id, "w1"));
    }

    [Fact]
    public void RequestCancel_ChangesNothing_WhenJobIsFinalOrMissing()
    {
        var job = _db.Create();
        _db.Store.RequestCancel(job.Id);

        Assert.Equal(CancelResult.AlreadyFinal, _db.Store.RequestCancel(job.Id));
        Assert.Equal(CancelResult.NotFound, _db.Store.RequestCancel("ftjob-doesnotexist"));
    }

    [Fact]
    public void RecoverAbandoned_RequeuesOnlyOtherOwnersJobs_WhenEmbeddedStoreStarts()
    {
        var orphan = _db.Create();
        var mine = _db.Create();
        _db.Store.ClaimNext("cpu", "dead-process", 5);
        _db.Store.ClaimNext("cpu", "me", 5);
        _db.Store.AddCheckpoint(orphan.Id, 10, "/ckpt/10");

        var recovered = _db.Store.RecoverAbandoned("me");

        Assert.Equal([orphan.Id], recovered);
        var after = _db.Store.GetRequired(orphan.Id);
        Assert.Equal((JobState.Queued, null, 1), (after.State, after.OwnerId, after.Attempt));
        Assert.Equal(JobState.Running, _db.Store.GetRequired(mine.Id).State);
        Assert.Single(_db.Store.ListCheckpoints(orphan.Id).Items);
        Assert.Contains(_db.Store.ListEvents(orphan.Id).Items, e => e.Message.Contains("resumed after restart"));
    }

    [Fact]
    public void RecoverAbandoned_LeavesLiveOwners_WhenStaleAfterIsGiven()
    {
        var stale = _db.Create();
        var live = _db.Create();
        _db.Store.ClaimNext("cpu", "silent", 5);
        _clock.Advance(TimeSpan.FromMinutes(5));
        _db.Store.ClaimNext("cpu", "alive", 5);

        var recovered = _db.Store.RecoverAbandoned("me", staleAfter: TimeSpan.FromMinutes(1));

        Assert.Equal([stale.Id], recovered);
        Assert.Equal(JobState.Running, _db.Store.GetRequired(live.Id).State);
    }

    [Fact]
    public void RecoverAbandoned_FailsJob_WhenItHasUsedAllAttempts()
    {
        var job = _db.Create(maxAttempts: 1);
        _db.Store.ClaimNext("cpu", "dead", 1);

        _db.Store.RecoverAbandoned("me");

        var after = _db.Store.GetRequired(job.Id);
        Assert.Equal(JobState.Failed, after.State);
        Assert.Equal("worker_died", after.Error!.Code);
    }

    [Fact]
    public void RecoverAbandoned_CancelsJob_WhenCancelWasRequestedBeforeTheCrash()
    {
        var job = _db.Create();
        _db.Store.ClaimNext("cpu", "dead", 1);
        _db.Store.RequestCancel(job.Id);

        _db.Store.RecoverAbandoned("me");

        Assert.Equal(JobState.Cancelled, _db.Store.GetRequired(job.Id).State);
    }

    [Fact]
    public void RecoverAbandoned_ReleasesValidation_WhenValidatorDied()
    {
        var job = _db.Create(JobState.ValidatingFiles);
        _db.Store.ClaimForValidation("dead");

        _db.Store.RecoverAbandoned("me");

        Assert.Equal(job.Id, _db.Store.ClaimForValidation("me")!.Id);
    }

    [Fact]
    public void Heartbeat_ReturnsNull_WhenJobIsNoLongerOwned()
    {
        var job = _db.Create();
        _db.Store.ClaimNext("cpu", "w1", 1);

        Assert.False(_db.Store.Heartbeat(job.Id, "w1", new JobProgress { Step = 3, TotalSteps = 10, Fraction = 0.3 }));
        Assert.Null(_db.Store.Heartbeat(job.Id, "w2"));
        Assert.Equal(3, _db.Store.GetRequired(job.Id).Progress!.Step);
    }
}
