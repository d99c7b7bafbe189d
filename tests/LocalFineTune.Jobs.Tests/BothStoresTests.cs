namespace LocalFineTune.Jobs.Tests;

/// <summary>
/// The SQL that the two stores once wrote separately and now share (paging by id, the NULL-safe owner test, the attempt
/// floor): each case runs against SQLite and against PostgreSQL, so a dialect slip in one shows up.
/// </summary>
public sealed class BothStoresTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _sqlite;
    private readonly Lazy<TempPostgres> _pg;

    public BothStoresTests()
    {
        _sqlite = new TempStore(_clock);
        _pg = new Lazy<TempPostgres>(() => new TempPostgres(_clock));
    }

    public void Dispose()
    {
        _sqlite.Dispose();
        if (_pg.IsValueCreated)
        {
            _pg.Value.Dispose();
        }
    }

    [Fact]
    public void Sqlite_PagesEventsAndCheckpointsNewestFirst_WhenAfterIsGiven() => PagesNewestFirst(_sqlite.Store, _sqlite.Create().Id);

    [PostgresFact]
    public void Postgres_PagesEventsAndCheckpointsNewestFirst_WhenAfterIsGiven() => PagesNewestFirst(_pg.Value.Store, _pg.Value.Create().Id);

    [Fact]
    public void Sqlite_RecoversOtherOwnersOnly_WhenNoStaleAfterIsGiven() => RecoversOtherOwners(_sqlite.Store, _sqlite.Create().Id, _sqlite.Create().Id);

    [PostgresFact]
    public void Postgres_RecoversOtherOwnersOnly_WhenNoStaleAfterIsGiven() => RecoversOtherOwners(_pg.Value.Store, _pg.Value.Create().Id, _pg.Value.Create().Id);

    [Fact]
    public void Sqlite_KeepsAttemptAtZero_WhenARequeueGivesBackMoreThanWasSpent() => AttemptFloorsAtZero(_sqlite.Store, _sqlite.Create().Id);

    [PostgresFact]
    public void Postgres_KeepsAttemptAtZero_WhenARequeueGivesBackMoreThanWasSpent() => AttemptFloorsAtZero(_pg.Value.Store, _pg.Value.Create().Id);

    private static void PagesNewestFirst(IJobStore store, string jobId)
    {
        for (var i = 1; i <= 3; i++)
        {
            store.AppendEvent(jobId, NewJobEvent.Info($"event {i}"));
            store.AddCheckpoint(jobId, i * 10, $"/ckpt-{i * 10}");
        }

        var events = store.ListEvents(jobId, limit: 2);
        var older = store.ListEvents(jobId, after: events.Items[^1].Id, limit: 2);
        var checkpoints = store.ListCheckpoints(jobId, limit: 2);
        var olderCheckpoints = store.ListCheckpoints(jobId, after: checkpoints.Items[^1].Id, limit: 2);

        Assert.Equal(["event 3", "event 2"], events.Items.Select(e => e.Message));
        Assert.Equal(["event 1"], older.Items.Select(e => e.Message));
        Assert.Equal([30L, 20L], checkpoints.Items.Select(c => c.StepNumber));
        Assert.Equal([10L], olderCheckpoints.Items.Select(c => c.StepNumber));
        Assert.Equal((true, false, true, false), (events.HasMore, older.HasMore, checkpoints.HasMore, olderCheckpoints.HasMore));
    }

    private static void RecoversOtherOwners(IJobStore store, string deadJob, string ownJob)
    {
        store.TryClaim(deadJob, "dead");
        store.TryClaim(ownJob, "me");

        var recovered = store.RecoverAbandoned("me");

        Assert.Equal([deadJob], recovered);
        Assert.Equal(JobState.Queued, store.GetRequired(deadJob).State);
        Assert.Equal(("me", JobState.Running), (store.GetRequired(ownJob).OwnerId, store.GetRequired(ownJob).State));
    }

    private static void AttemptFloorsAtZero(IJobStore store, string jobId)
    {
        store.TryClaim(jobId, "w1");

        store.Transition(new JobTransition(jobId, JobState.Running, JobState.Queued, "handed back")
        {
            ExpectedOwner = "w1",
            AttemptDelta = -5,
        });

        Assert.Equal((JobState.Queued, 0), (store.GetRequired(jobId).State, store.GetRequired(jobId).Attempt));
    }
}
