using System.Collections.Concurrent;

namespace LocalFineTune.Jobs.Tests;

public sealed class ClaimTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _db;

    public ClaimTests() => _db = new TempStore(_clock);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void ClaimNext_ReturnsOldestFirst_WhenJobsWereCreatedAtDifferentTimes()
    {
        var first = _db.Create();
        _clock.Advance(TimeSpan.FromSeconds(5));
        var second = _db.Create();

        var claimed = _db.Store.ClaimNext("cpu", "w1", maxRunning: 5);

        Assert.Equal(first.Id, claimed!.Id);
        Assert.Equal(second.Id, _db.Store.ClaimNext("cpu", "w1", maxRunning: 5)!.Id);
    }

    [Fact]
    public void ClaimNext_KeepsInsertionOrder_WhenJobsShareTheSameSecond()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => _db.Create().Id).ToList();

        var claimed = Enumerable.Range(0, 10).Select(_ => _db.Store.ClaimNext("cpu", "w1", maxRunning: 100)!.Id).ToList();

        Assert.Equal(ids, claimed);
    }

    [Fact]
    public void ClaimNext_MarksRunningWithOwnerAndAttempt_WhenJobIsClaimed()
    {
        var job = _db.Create();

        var claimed = _db.Store.ClaimNext("cpu", "w1", 1)!;

        Assert.Equal((JobState.Running, "w1", 1), (claimed.State, claimed.OwnerId, claimed.Attempt));
        Assert.NotNull(claimed.StartedAt);
        Assert.NotNull(claimed.HeartbeatAt);
        Assert.Equal(JobState.Running, _db.Store.GetHistory(job.Id)[^1].To);
    }

    [Fact]
    public void ClaimNext_ReturnsNull_WhenDeviceAlreadyRunsItsLimit()
    {
        _db.Create();
        _db.Create();
        Assert.NotNull(_db.Store.ClaimNext("cpu", "w1", maxRunning: 1));

        Assert.Null(_db.Store.ClaimNext("cpu", "w1", maxRunning: 1));
        Assert.NotNull(_db.Store.ClaimNext("cpu", "w1", maxRunning: 2));
    }

    [Fact]
    public void ClaimNext_IgnoresOtherDevices_WhenClaimingForOneDevice()
    {
        var gpuJob = _db.Create(device: "cuda:0");
        _db.Create(device: "cpu");
        Assert.NotNull(_db.Store.ClaimNext("cpu", "w1", 1));

        var claimed = _db.Store.ClaimNext("cuda:0", "w1", 1);

        Assert.Equal(gpuJob.Id, claimed!.Id);
    }

    [Fact]
    public void ClaimNext_SkipsValidatingJobs_WhenTheyAreNotQueuedYet()
    {
        _db.Create(JobState.ValidatingFiles);

        Assert.Null(_db.Store.ClaimNext("cpu", "w1", 1));
    }

    [Fact]
    public void ClaimNext_WaitsForBackOff_WhenJobWasRequeuedWithDelay()
    {
        var job = _db.Create();
        _db.Store.ClaimNext("cpu", "w1", 1);
        _db.Store.Transition(new JobTransition(job.Id, JobState.Running, JobState.Queued, "retry") { Delay = TimeSpan.FromSeconds(30) });

        Assert.Null(_db.Store.ClaimNext("cpu", "w1", 1));
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(job.Id, _db.Store.ClaimNext("cpu", "w1", 1)!.Id);
    }

    [Fact]
    public void ClaimNext_NeverClaimsAJobTwice_WhenManyThreadsClaimConcurrently()
    {
        const int jobCount = 60;
        const int threads = 6;
        var created = Enumerable.Range(0, jobCount).Select(_ => _db.Create().Id).ToHashSet();
        var claims = new ConcurrentBag<string>();
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            while (_db.Store.ClaimNext("cpu", $"w{t}", maxRunning: jobCount) is { } job)
            {
                claims.Add(job.Id);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => Assert.True(w.Join(Wait.Timeout), "a claimer thread hung"));

        Assert.Equal(jobCount, claims.Count);
        Assert.Equal(created, claims.ToHashSet());
    }

    [Fact]
    public void ClaimNext_RespectsDeviceLimitAcrossThreads_WhenManyThreadsClaimConcurrently()
    {
        for (var i = 0; i < 20; i++)
        {
            _db.Create();
        }
        var claims = new ConcurrentBag<string>();
        using var start = new Barrier(6);

        var workers = Enumerable.Range(0, 6).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 10; i++)
            {
                if (_db.Store.ClaimNext("cpu", $"w{t}", maxRunning: 2) is { } job)
                {
                    claims.Add(job.Id);
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => Assert.True(w.Join(Wait.Timeout), "a claimer thread hung"));

        Assert.Equal(2, claims.Count);
    }

    [Fact]
    public void ClaimForValidation_TakesEachValidatingJobOnce_WhenCalledRepeatedly()
    {
        var job = _db.Create(JobState.ValidatingFiles);

        var taken = _db.Store.ClaimForValidation("w1");

        Assert.Equal((job.Id, JobState.ValidatingFiles, "w1"), (taken!.Id, taken.State, taken.OwnerId));
        Assert.Null(_db.Store.ClaimForValidation("w2"));
    }
}
