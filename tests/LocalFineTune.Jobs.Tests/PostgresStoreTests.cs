using LocalFineTune.Jobs.Postgres;

namespace LocalFineTune.Jobs.Tests;

/// <summary>The PostgreSQL store against a real server: the same contract as the SQLite store.</summary>
public sealed class PostgresStoreTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly Lazy<TempPostgres> _pg;

    public PostgresStoreTests() => _pg = new Lazy<TempPostgres>(() => new TempPostgres(_clock));

    private TempPostgres Db => _pg.Value;

    public void Dispose()
    {
        if (_pg.IsValueCreated)
        {
            _pg.Value.Dispose();
        }
    }

    [PostgresFact]
    public void Lifecycle_RecordsStatesEventsCheckpointsAndResult_WhenAJobRunsToTheEnd()
    {
        var job = Db.Create(JobState.ValidatingFiles);
        Assert.Equal("w1", Db.Store.TryClaim(job.Id, "w1")!.OwnerId);
        Db.Store.Transition(new JobTransition(job.Id, JobState.ValidatingFiles, JobState.Queued, "validated") { ExpectedOwner = "w1" });
        var running = Db.Store.TryClaim(job.Id, "w1")!;
        Db.Store.AddCheckpoint(job.Id, 10, "/ckpt-10", """{"train_loss":1.5}""");
        Db.Store.AppendEvent(job.Id, NewJobEvent.Info("step 10"));
        Assert.False(Db.Store.Heartbeat(job.Id, "w1", new JobProgress { Step = 10, TotalSteps = 20, Fraction = 0.5 }));
        Db.Store.Transition(new JobTransition(job.Id, JobState.Running, JobState.Succeeded, "done")
        {
            ExpectedOwner = "w1",
            ResultJson = """{"model_path":"/m"}""",
            Event = NewJobEvent.Info("The job has successfully completed."),
        });

        var done = Db.Store.GetRequired(job.Id);
        Assert.Equal((JobState.Running, 1), (running.State, running.Attempt));
        Assert.Equal((JobState.Succeeded, """{"model_path":"/m"}""", 10L), (done.State, done.ResultJson, done.Progress!.Step));
        Assert.Equal([JobState.ValidatingFiles, JobState.Queued, JobState.Running, JobState.Succeeded], Db.Store.GetHistory(job.Id).Select(h => h.To));
        Assert.Equal(10L, Db.Store.ListCheckpoints(job.Id).Items.Single().StepNumber);
        Assert.Equal(2, Db.Store.ListEvents(job.Id).Items.Count);
        Assert.Single(Db.Store.ListEvents(job.Id, after: Db.Store.ListEvents(job.Id).Items[0].Id).Items);
    }

    [PostgresFact]
    public void List_PagesNewestFirstAndFilters_WhenManyJobsExist()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Db.Create().Id).ToList();
        Db.Create(device: "cuda:0");

        var first = Db.Store.List(new JobListQuery { Device = "cpu", Limit = 3 });
        var second = Db.Store.List(new JobListQuery { Device = "cpu", Limit = 3, After = first.Items[^1].Id });

        Assert.True(first.HasMore);
        Assert.Equal(Enumerable.Reverse(ids), first.Items.Concat(second.Items).Select(j => j.Id));
        Assert.Throws<ArgumentException>(() => Db.Store.List(new JobListQuery { After = "ftjob-missing" }));
    }

    [PostgresFact]
    public void TryClaim_ClaimsOnce_WhenManyThreadsClaimTheSameJobs()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => Db.Create().Id).ToList();
        var claims = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 4, t =>
        {
            foreach (var id in ids)
            {
                if (Db.Store.TryClaim(id, $"w{t}") is not null)
                {
                    claims.Add(id);
                }
            }
        });

        Assert.Equal(ids.Order(), claims.Order());
    }

    [PostgresFact]
    public void RecoverAbandoned_RequeuesOnlySilentOwners_WhenStaleAfterIsGiven()
    {
        var dead = Db.Create();
        var alive = Db.Create();
        Db.Store.TryClaim(dead.Id, "dead");
        _clock.Advance(TimeSpan.FromSeconds(30));
        Db.Store.TryClaim(alive.Id, "alive");

        var recovered = Db.Store.RecoverAbandoned("me", TimeSpan.FromSeconds(10));

        Assert.Equal([dead.Id], recovered);
        Assert.Equal(JobState.Running, Db.Store.GetRequired(alive.Id).State);
        Assert.Null(Db.Store.Heartbeat(dead.Id, "dead"));
    }

    [PostgresFact]
    public void RequestCancel_SetsTheFlagForTheWorker_WhenJobIsRunning()
    {
        var job = Db.Create();
        Db.Store.TryClaim(job.Id, "w1");

        Assert.Equal(CancelResult.CancelRequested, Db.Store.RequestCancel(job.Id));
        Assert.True(Db.Store.Heartbeat(job.Id, "w1"));
        Assert.Equal(CancelResult.Cancelled, Db.Store.RequestCancel(Db.Create().Id));
    }

    [PostgresFact]
    public void Open_RefusesWithAClearMessage_WhenTheSchemaIsNewerThanThisBuild()
    {
        Db.Execute("INSERT INTO schema_version (version) VALUES (999)");

        var error = Assert.Throws<InvalidOperationException>(() => new PostgresJobStore(Db.ConnectionString));

        Assert.Contains("schema version 999, newer than this build knows", error.Message);
    }

    [PostgresFact]
    public void Open_MigratesOnce_WhenOpenedAgain()
    {
        using var again = new PostgresJobStore(Db.ConnectionString);

        Assert.Equal(Db.Create().Id, again.Get(Db.Store.List(new JobListQuery()).Items[0].Id)!.Id);
    }
}
