using LocalFineTune.Jobs.Schedules;

namespace LocalFineTune.Jobs.Tests;

/// <summary>Schedules in the job database: the same contract on the SQLite and the PostgreSQL store.</summary>
public sealed class ScheduleStoreTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly Lazy<TempStore> _sqlite;
    private readonly Lazy<TempPostgres> _pg;

    public ScheduleStoreTests()
    {
        _sqlite = new Lazy<TempStore>(() => new TempStore(_clock));
        _pg = new Lazy<TempPostgres>(() => new TempPostgres(_clock));
    }

    [Fact]
    public void Sqlite_Schedules_CreateListClaimDelete() => CreateListClaimDelete(_sqlite.Value.Store);

    [PostgresFact]
    public void Postgres_Schedules_CreateListClaimDelete() => CreateListClaimDelete(_pg.Value.Store);

    [Fact]
    public void Sqlite_Schedule_SurvivesReopenWithItsLastRun()
    {
        var created = _sqlite.Value.Store.CreateSchedule(null, "0 3 1 * *", "UTC", "{}");
        _sqlite.Value.Store.TryClaimRun(created.Id, null, 1000);

        var reopened = _sqlite.Value.Reopen().GetSchedule(created.Id)!;

        Assert.Equal(1000, reopened.LastRunAt);
    }

    private void CreateListClaimDelete(IScheduleStore store)
    {
        var monthly = store.CreateSchedule("monthly", "0 3 1 * *", "Europe/Paris", """{"model":"gpt2"}""");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var daily = store.CreateSchedule(null, "0 4 * * *", "UTC", "{}");

        Assert.Equal([monthly.Id, daily.Id], store.ListSchedules().Select(s => s.Id));
        Assert.Equal(monthly, store.GetSchedule(monthly.Id));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds() - 1, monthly.CreatedAt);
        Assert.Null(monthly.LastRunAt);

        Assert.True(store.TryClaimRun(monthly.Id, null, 100));
        Assert.False(store.TryClaimRun(monthly.Id, null, 100)); // a second claimer of the same run loses
        Assert.False(store.TryClaimRun(monthly.Id, 99, 200));
        Assert.True(store.TryClaimRun(monthly.Id, 100, 200));
        store.RecordRunOutcome(monthly.Id, "ftjob-abc", null);
        Assert.Equal((200L, "ftjob-abc"), (store.GetSchedule(monthly.Id)!.LastRunAt!.Value, store.GetSchedule(monthly.Id)!.LastJobId!));

        Assert.True(store.DeleteSchedule(monthly.Id));
        Assert.False(store.DeleteSchedule(monthly.Id));
        Assert.Null(store.GetSchedule(monthly.Id));
        Assert.Equal([daily.Id], store.ListSchedules().Select(s => s.Id));
    }

    public void Dispose()
    {
        if (_sqlite.IsValueCreated) _sqlite.Value.Dispose();
        if (_pg.IsValueCreated) _pg.Value.Dispose();
    }
}
