using LocalFineTune.Jobs.Models;

namespace LocalFineTune.Jobs.Tests;

/// <summary>The stored "latest" pointer per base, the same contract on the SQLite and the PostgreSQL store.</summary>
public sealed class ModelPointerTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly Lazy<TempStore> _sqlite;
    private readonly Lazy<TempPostgres> _pg;

    public ModelPointerTests()
    {
        _sqlite = new Lazy<TempStore>(() => new TempStore(_clock));
        _pg = new Lazy<TempPostgres>(() => new TempPostgres(_clock));
    }

    [Fact]
    public void Sqlite_SetLatest_ReplacesPerBaseAndKeepsPrevious() => SetLatest_ReplacesPerBaseAndKeepsPrevious(_sqlite.Value.Store);

    [PostgresFact]
    public void Postgres_SetLatest_ReplacesPerBaseAndKeepsPrevious() => SetLatest_ReplacesPerBaseAndKeepsPrevious(_pg.Value.Store);

    [Fact]
    public void Sqlite_Pointer_SurvivesReopen()
    {
        _sqlite.Value.Store.SetLatest("gpt2", "gpt2-finetuned-20260101_000000", "ftjob-abc", "promoted");

        var reopened = _sqlite.Value.Reopen();

        Assert.Equal("gpt2-finetuned-20260101_000000", reopened.GetLatest("gpt2")!.ModelName);
    }

    [Fact]
    public void Sqlite_SetLatest_RefusesAModelOfAnotherBase()
    {
        var e = Assert.Throws<ArgumentException>(() => _sqlite.Value.Store.SetLatest("gpt2", "phi-finetuned-20260101_000000", null, "by hand"));

        Assert.Contains("not a fine-tune of base 'gpt2'", e.Message);
        Assert.Null(_sqlite.Value.Store.GetLatest("gpt2"));
    }

    private void SetLatest_ReplacesPerBaseAndKeepsPrevious(IModelPointers store)
    {
        Assert.Null(store.GetLatest("gpt2"));
        store.SetLatest("gpt2", "gpt2-finetuned-20260101_000000", "ftjob-jan", "promoted on success");
        _clock.Advance(TimeSpan.FromMinutes(1));
        store.SetLatest("phi", "phi-finetuned-20260102_000000", "ftjob-phi", "promoted on success");
        _clock.Advance(TimeSpan.FromMinutes(1));

        var rolled = store.SetLatest("gpt2", "gpt2-finetuned-20251201_000000", null, "rollback by hand");

        Assert.Equal(new ModelPointer("gpt2", "gpt2-finetuned-20251201_000000", "gpt2-finetuned-20260101_000000", null, "rollback by hand",
            _clock.GetUtcNow().ToUnixTimeSeconds()), rolled);
        Assert.Equal(rolled, store.GetLatest("gpt2"));
        Assert.Equal("phi-finetuned-20260102_000000", store.GetLatest("phi")!.ModelName);
        Assert.Equal(["gpt2", "phi"], store.ListLatest().Select(p => p.BaseModel));
    }

    public void Dispose()
    {
        if (_sqlite.IsValueCreated) _sqlite.Value.Dispose();
        if (_pg.IsValueCreated) _pg.Value.Dispose();
    }
}
