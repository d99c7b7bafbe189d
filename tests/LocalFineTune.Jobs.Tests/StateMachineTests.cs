using Microsoft.Data.Sqlite;

namespace LocalFineTune.Jobs.Tests;

public sealed class StateMachineTests : IDisposable
{
    private readonly TempStore _db = new();

    public void Dispose() => _db.Dispose();

    private static readonly (JobState From, JobState To)[] AllowedPairs =
    [
        (JobState.ValidatingFiles, JobState.Queued), (JobState.ValidatingFiles, JobState.Failed), (JobState.ValidatingFiles, JobState.Cancelled),
        (JobState.Queued, JobState.Running), (JobState.Queued, JobState.Cancelled), (JobState.Queued, JobState.Failed),
        (JobState.Running, JobState.Succeeded), (JobState.Running, JobState.Failed), (JobState.Running, JobState.Cancelled), (JobState.Running, JobState.Queued),
    ];

    public static TheoryData<JobState, JobState> Allowed() => ToTheory(AllowedPairs);

    public static TheoryData<JobState, JobState> Forbidden() => ToTheory(
        from f in JobStates.All from t in JobStates.All where !AllowedPairs.Contains((f, t)) select (f, t));

    private static TheoryData<JobState, JobState> ToTheory(IEnumerable<(JobState, JobState)> pairs)
    {
        var data = new TheoryData<JobState, JobState>();
        foreach (var (from, to) in pairs)
        {
            data.Add(from, to);
        }
        return data;
    }

    /// <summary>Drives a fresh job into <paramref name="state"/> through allowed transitions only.</summary>
    private JobRecord JobIn(JobState state)
    {
        var job = _db.Create(state == JobState.ValidatingFiles ? JobState.ValidatingFiles : JobState.Queued);
        var path = state switch
        {
            JobState.Running => new[] { JobState.Running },
            JobState.Succeeded => [JobState.Running, JobState.Succeeded],
            JobState.Failed => [JobState.Failed],
            JobState.Cancelled => [JobState.Cancelled],
            _ => [],
        };
        var current = job.State;
        foreach (var next in path)
        {
            _db.Store.Transition(new JobTransition(job.Id, current, next, "setup") { NewOwner = "owner-1" });
            current = next;
        }
        return _db.Store.GetRequired(job.Id);
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void TryTransition_ChangesStateAndAppendsHistory_WhenTransitionIsAllowed(JobState from, JobState to)
    {
        var job = JobIn(from);
        var historyBefore = _db.Store.GetHistory(job.Id).Count;

        var changed = _db.Store.TryTransition(new JobTransition(job.Id, from, to, "test") { NewOwner = "owner-2" });

        Assert.True(changed);
        var after = _db.Store.GetRequired(job.Id);
        Assert.Equal(to, after.State);
        var history = _db.Store.GetHistory(job.Id);
        Assert.Equal(historyBefore + 1, history.Count);
        Assert.Equal((from, to, "test"), (history[^1].From!.Value, history[^1].To, history[^1].Reason));
        Assert.Equal(to.IsFinal(), after.FinishedAt is not null);
    }

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void TryTransition_ThrowsAndWritesNothing_WhenTransitionIsForbidden(JobState from, JobState to)
    {
        var job = JobIn(from);
        var historyBefore = _db.Store.GetHistory(job.Id).Count;

        var error = Assert.Throws<InvalidJobTransitionException>(
            () => _db.Store.TryTransition(new JobTransition(job.Id, from, to, "test")));

        Assert.Contains(from.ToWireName(), error.Message);
        Assert.Equal(from, _db.Store.GetRequired(job.Id).State);
        Assert.Equal(historyBefore, _db.Store.GetHistory(job.Id).Count);
    }

    [Fact]
    public void TryTransition_ReturnsFalseAndWritesNothing_WhenJobIsNotInExpectedState()
    {
        var job = JobIn(JobState.Queued);

        var changed = _db.Store.TryTransition(new JobTransition(job.Id, JobState.Running, JobState.Succeeded, "stale view"));

        Assert.False(changed);
        Assert.Equal(JobState.Queued, _db.Store.GetRequired(job.Id).State);
        Assert.Single(_db.Store.GetHistory(job.Id));
    }

    [Fact]
    public void Transition_ThrowsConflict_WhenJobIsNotInExpectedState()
    {
        var job = JobIn(JobState.Cancelled);

        var error = Assert.Throws<JobStateConflictException>(
            () => _db.Store.Transition(new JobTransition(job.Id, JobState.Queued, JobState.Running, "late")));

        Assert.Equal(JobState.Cancelled, error.Actual);
    }

    [Fact]
    public void TryTransition_ReturnsFalse_WhenExpectedOwnerDoesNotHoldTheJob()
    {
        var job = JobIn(JobState.Running);

        var changed = _db.Store.TryTransition(
            new JobTransition(job.Id, JobState.Running, JobState.Succeeded, "done") { ExpectedOwner = "someone-else" });

        Assert.False(changed);
        Assert.Equal(JobState.Running, _db.Store.GetRequired(job.Id).State);
    }

    [Fact]
    public void TryTransition_RollsBackStateChange_WhenHistoryInsertFails()
    {
        var job = JobIn(JobState.Queued);
        using (var raw = new SqliteConnection($"Data Source={_db.DatabasePath};Pooling=False"))
        {
            raw.Open();
            using var drop = raw.CreateCommand();
            drop.CommandText = "DROP TABLE job_history";
            drop.ExecuteNonQuery();
        }

        Assert.ThrowsAny<SqliteException>(
            () => _db.Store.TryTransition(new JobTransition(job.Id, JobState.Queued, JobState.Cancelled, "test")));

        // State and history are one transaction: without the history row, the state change did not happen either.
        Assert.Equal(JobState.Queued, _db.Store.GetRequired(job.Id).State);
    }

    [Fact]
    public void Create_AppendsCreationHistory_WhenJobIsCreated()
    {
        var job = _db.Create(JobState.ValidatingFiles);

        var entry = Assert.Single(_db.Store.GetHistory(job.Id));

        Assert.Null(entry.From);
        Assert.Equal(JobState.ValidatingFiles, entry.To);
    }

    [Theory]
    [InlineData(JobState.ValidatingFiles, "validating_files", false)]
    [InlineData(JobState.Queued, "queued", false)]
    [InlineData(JobState.Running, "running", false)]
    [InlineData(JobState.Succeeded, "succeeded", true)]
    [InlineData(JobState.Failed, "failed", true)]
    [InlineData(JobState.Cancelled, "cancelled", true)]
    public void ToWireName_MatchesOpenAiStatus_WhenStateIsGiven(JobState state, string wire, bool final)
    {
        Assert.Equal(wire, state.ToWireName());
        Assert.Equal(final, state.IsFinal());
        Assert.Equal(state, JobStates.ParseWireName(wire));
        Assert.Empty(final ? JobStateMachine.AllowedTargets(state) : []);
    }

    [Fact]
    public void ParseWireName_AcceptsCompletedAsSucceeded_WhenSeedClientSendsIt()
    {
        Assert.Equal(JobState.Succeeded, JobStates.ParseWireName("completed"));
        Assert.Throws<FormatException>(() => JobStates.ParseWireName("done"));
    }
}
