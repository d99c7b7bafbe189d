using Microsoft.Data.Sqlite;

namespace LocalFineTune.Jobs.Tests;

public sealed class StoreQueryTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _db;

    public StoreQueryTests() => _db = new TempStore(_clock);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Create_ReturnsFtjobIdAndStoredFields_WhenInputIsValid()
    {
        var job = _db.Store.Create(new NewJob
        {
            SpecJson = """{"model":"gpt2"}""",
            Device = "cuda:0",
            Source = "v1",
            Metadata = new Dictionary<string, string> { ["team"] = "search" },
        });

        Assert.Matches("^ftjob-[0-9A-Za-z]{24}$", job.Id);
        Assert.Equal((JobState.ValidatingFiles, "cuda:0", "v1", 0, 3), (job.State, job.Device, job.Source, job.Attempt, job.MaxAttempts));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), job.CreatedAt);
        Assert.Equal("search", job.Metadata["team"]);
        Assert.Equal("""{"model":"gpt2"}""", job.SpecJson);
    }

    [Fact]
    public void Create_Throws_WhenMetadataHasMoreThanSixteenPairs()
    {
        var metadata = Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", i => "v");

        var error = Assert.Throws<ArgumentException>(() => _db.Create(metadata: metadata));

        Assert.Contains("at most 16", error.Message);
    }

    [Fact]
    public void Create_Throws_WhenSpecIsNotJson()
    {
        Assert.Throws<ArgumentException>(() => _db.Store.Create(new NewJob { SpecJson = "{model: gpt2" }));
    }

    [Fact]
    public void Get_ReturnsNull_WhenJobDoesNotExist()
    {
        Assert.Null(_db.Store.Get("ftjob-nothere"));
    }

    [Fact]
    public void Reopen_KeepsJobsEventsAndCheckpoints_WhenFileIsOpenedAgain()
    {
        var job = _db.Create(metadata: new Dictionary<string, string> { ["a"] = "b" });
        _db.Store.ClaimNext("cpu", "w1", 1);
        _db.Store.AppendEvent(job.Id, NewJobEvent.Info("step 1"));
        _db.Store.AddCheckpoint(job.Id, 5, "/ckpt/5", """{"loss":1.5}""");
        _db.Store.UpdateProgress(job.Id, new JobProgress { Fraction = 0.5, Step = 5, TotalSteps = 10, Loss = 1.5 });

        var reopened = _db.Reopen();

        var after = reopened.GetRequired(job.Id);
        Assert.Equal((JobState.Running, "b", 0.5, 1.5), (after.State, after.Metadata["a"], after.Progress!.Fraction, after.Progress.Loss!.Value));
        Assert.Single(reopened.ListEvents(job.Id).Items, e => e.Message == "step 1");
        Assert.Equal(5, reopened.ListCheckpoints(job.Id).Items.Single().StepNumber);
        Assert.Equal(2, reopened.GetHistory(job.Id).Count);
    }

    [Fact]
    public void Open_CreatesVersionedSchemaInWalMode_WhenFileIsNew()
    {
        _db.Reopen();
        using var raw = new SqliteConnection($"Data Source={_db.DatabasePath};Pooling=False");
        raw.Open();
        using var version = raw.CreateCommand();
        version.CommandText = "SELECT COUNT(*), MAX(version) FROM schema_version";
        using var reader = version.ExecuteReader();
        reader.Read();
        Assert.Equal((3L, 3L), (reader.GetInt64(0), reader.GetInt64(1)));
        using var mode = raw.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)mode.ExecuteScalar()!);
    }

    [Fact]
    public void List_ReturnsNewestFirstInPages_WhenAfterAndLimitAreGiven()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => _db.Create().Id).ToList();
        ids.Reverse();

        var first = _db.Store.List(new JobListQuery { Limit = 2 });
        var second = _db.Store.List(new JobListQuery { Limit = 2, After = first.Items[^1].Id });
        var last = _db.Store.List(new JobListQuery { Limit = 2, After = second.Items[^1].Id });

        Assert.Equal(ids[..2], first.Items.Select(j => j.Id));
        Assert.True(first.HasMore);
        Assert.Equal(ids[2..4], second.Items.Select(j => j.Id));
        Assert.Equal([ids[4]], last.Items.Select(j => j.Id));
        Assert.False(last.HasMore);
    }

    [Fact]
    public void List_FiltersByStateAndMetadata_WhenFiltersAreGiven()
    {
        var prod = _db.Create(metadata: new Dictionary<string, string> { ["env"] = "prod", ["team"] = "a" });
        var dev = _db.Create(metadata: new Dictionary<string, string> { ["env"] = "dev", ["team"] = "a" });
        _db.Store.RequestCancel(dev.Id);

        var queued = _db.Store.List(new JobListQuery { State = JobState.Queued });
        var teamA = _db.Store.List(new JobListQuery { Metadata = new Dictionary<string, string> { ["team"] = "a" } });
        var prodA = _db.Store.List(new JobListQuery { Metadata = new Dictionary<string, string> { ["team"] = "a", ["env"] = "prod" } });
        var none = _db.Store.List(new JobListQuery { State = JobState.Cancelled, Metadata = new Dictionary<string, string> { ["env"] = "prod" } });

        Assert.Equal([prod.Id], queued.Items.Select(j => j.Id));
        Assert.Equal([dev.Id, prod.Id], teamA.Items.Select(j => j.Id));
        Assert.Equal([prod.Id], prodA.Items.Select(j => j.Id));
        Assert.Empty(none.Items);
    }

    [Fact]
    public void List_Throws_WhenAfterNamesUnknownJob()
    {
        var error = Assert.Throws<ArgumentException>(() => _db.Store.List(new JobListQuery { After = "ftjob-unknown" }));

        Assert.Contains("previous page", error.Message);
    }

    [Fact]
    public void ListEvents_PagesNewestFirst_WhenAfterCursorIsGiven()
    {
        var job = _db.Create();
        var created = Enumerable.Range(1, 5).Select(i => _db.Store.AppendEvent(job.Id, NewJobEvent.Info($"e{i}"))).ToList();

        var first = _db.Store.ListEvents(job.Id, limit: 2);
        var second = _db.Store.ListEvents(job.Id, after: first.Items[^1].Id, limit: 2);
        var third = _db.Store.ListEvents(job.Id, after: second.Items[^1].Id, limit: 2);

        Assert.Equal(["e5", "e4"], first.Items.Select(e => e.Message));
        Assert.True(first.HasMore);
        Assert.Equal(["e3", "e2"], second.Items.Select(e => e.Message));
        Assert.Equal(["e1"], third.Items.Select(e => e.Message));
        Assert.False(third.HasMore);
        Assert.Equal(created[0].Id, third.Items[0].Id);
    }

    [Fact]
    public void ReadEventsSince_ReturnsOldestFirstAfterId_WhenStreaming()
    {
        var job = _db.Create();
        var other = _db.Create();
        var e1 = _db.Store.AppendEvent(job.Id, NewJobEvent.Info("e1"));
        _db.Store.AppendEvent(other.Id, NewJobEvent.Info("other job"));
        _db.Store.AppendEvent(job.Id, NewJobEvent.Metrics("step 2", """{"step":2,"train_loss":1.25}"""));
        _db.Store.AppendEvent(job.Id, NewJobEvent.Warn("e3"));

        var since = _db.Store.ReadEventsSince(job.Id, e1.Id);

        Assert.Equal(["step 2", "e3"], since.Select(e => e.Message));
        Assert.Equal((JobEventType.Metrics, """{"step":2,"train_loss":1.25}"""), (since[0].Type, since[0].DataJson));
        Assert.Equal(JobEventLevel.Warn, since[1].Level);
        Assert.Empty(_db.Store.ReadEventsSince(job.Id, since[^1].Id));
    }

    [Fact]
    public void AppendEvent_ThrowsNotFound_WhenJobDoesNotExist()
    {
        Assert.Throws<JobNotFoundException>(() => _db.Store.AppendEvent("ftjob-missing", NewJobEvent.Info("x")));
        Assert.Throws<JobNotFoundException>(() => _db.Store.ListEvents("ftjob-missing"));
    }

    [Fact]
    public void ListCheckpoints_PagesNewestFirst_WhenSeveralExist()
    {
        var job = _db.Create();
        foreach (var step in new[] { 10, 20, 30 })
        {
            _db.Store.AddCheckpoint(job.Id, step, $"/ckpt/{step}", $$"""{"step":{{step}}}""");
        }

        var first = _db.Store.ListCheckpoints(job.Id, limit: 2);
        var rest = _db.Store.ListCheckpoints(job.Id, after: first.Items[^1].Id, limit: 2);

        Assert.Equal([30L, 20L], first.Items.Select(c => c.StepNumber));
        Assert.True(first.HasMore);
        Assert.Equal([10L], rest.Items.Select(c => c.StepNumber));
        Assert.False(rest.HasMore);
    }

    [Fact]
    public void Store_StaysConsistent_WhenReadersAndWritersRunConcurrently()
    {
        var job = _db.Create();
        _db.Store.ClaimNext("cpu", "w1", 1);
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < 50; i++)
                {
                    _db.Store.AppendEvent(job.Id, NewJobEvent.Info($"t{t}-{i}"));
                    _db.Store.UpdateProgress(job.Id, new JobProgress { Step = i });
                    _db.Store.Get(job.Id);
                    _db.Store.List(new JobListQuery());
                }
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(Wait.Timeout), "a store thread hung"));

        Assert.Empty(errors);
        Assert.Equal(200, _db.Store.ReadEventsSince(job.Id, 0, 1000).Count);
    }
}
