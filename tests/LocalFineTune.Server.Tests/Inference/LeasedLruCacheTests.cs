using LocalFineTune.Server.Inference;

namespace LocalFineTune.Server.Tests.Inference;

/// <summary>The model cache's policy on stand-in values: LRU within the budget, leases protect, one load per key, fingerprints retire.</summary>
public sealed class LeasedLruCacheTests
{
    [Fact]
    public void Acquire_LoadsOnce_AndServesTheSameValueAgain()
    {
        using var cache = new LeasedLruCache(100);
        var loads = 0;

        using (var first = cache.Acquire("a", "v1", 10, () => { loads++; return new Fake(10); }, CancellationToken.None))
        using (var second = cache.Acquire("a", "v1", 10, () => { loads++; return new Fake(10); }, CancellationToken.None))
            Assert.Same(first.Value, second.Value);
        using var third = cache.Acquire("a", "v1", 10, () => { loads++; return new Fake(10); }, CancellationToken.None);

        Assert.Equal(1, loads);
        Assert.Equal(new CacheStats(1, 2, 0, 1, 10, 100), cache.Stats);
    }

    [Fact]
    public void OverBudget_FreesTheLeastRecentlyUsedIdleValue()
    {
        using var cache = new LeasedLruCache(100);
        var a = Use(cache, "a", 40);
        var b = Use(cache, "b", 40);
        Use(cache, "a", 40); // a is now more recent than b

        var c = Use(cache, "c", 40);

        Assert.True(b.Disposed);
        Assert.False(a.Disposed);
        Assert.False(c.Disposed);
        Assert.Equal(["c", "a"], cache.Keys);
        Assert.Equal(1, cache.Stats.Evictions);
        Assert.Equal(80, cache.Stats.CachedBytes);
    }

    [Fact]
    public void LeasedValue_IsNeverFreed_EvenWithNoBudget_AndIsFreedWhenItsLeaseEnds()
    {
        using var cache = new LeasedLruCache(0);
        var held = cache.Acquire("a", "v1", 50, () => new Fake(50), CancellationToken.None);

        var other = Use(cache, "b", 50);

        Assert.False(held.Value.Disposed);
        Assert.True(other.Disposed); // released at once, nothing may stay
        held.Dispose();
        Assert.True(held.Value.Disposed);
        Assert.Equal(0, cache.Stats.Entries);
    }

    [Fact]
    public void ValueLargerThanTheBudget_IsSharedWhileLeased_ThenFreed()
    {
        using var cache = new LeasedLruCache(10);
        var loads = 0;
        var first = cache.Acquire("big", "v1", 50, () => { loads++; return new Fake(50); }, CancellationToken.None);
        var second = cache.Acquire("big", "v1", 50, () => { loads++; return new Fake(50); }, CancellationToken.None);

        Assert.Same(first.Value, second.Value);
        first.Dispose();
        Assert.False(second.Value.Disposed);
        second.Dispose();

        Assert.True(first.Value.Disposed);
        Assert.Equal(1, loads);
        Assert.Equal(0, cache.Stats.CachedBytes);
    }

    [Fact]
    public void ConcurrentAcquires_OfOneKey_LoadItOnce()
    {
        using var cache = new LeasedLruCache(100);
        using var release = new ManualResetEventSlim();
        var loads = 0;
        Fake Load()
        {
            Interlocked.Increment(ref loads);
            release.Wait(TimeSpan.FromSeconds(10));
            return new Fake(10);
        }

        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            using var lease = cache.Acquire("a", "v1", 10, Load, CancellationToken.None);
            return lease.Value;
        }, TaskCreationOptions.LongRunning)).ToList();
        SpinWait.SpinUntil(() => cache.Stats.Hits == 3, TimeSpan.FromSeconds(10));
        release.Set();
        Task.WaitAll([.. tasks], TimeSpan.FromSeconds(10));

        Assert.Equal(1, loads);
        Assert.Single(tasks.Select(t => t.Result).Distinct());
    }

    [Fact]
    public void FailedLoad_ReachesEveryWaiter_AndTheNextRequestTriesAgain()
    {
        using var cache = new LeasedLruCache(100);

        Assert.Throws<InvalidDataException>(() => cache.Acquire<Fake>("a", "v1", 10, () => throw new InvalidDataException("bad config"), CancellationToken.None));
        using var lease = cache.Acquire("a", "v1", 10, () => new Fake(10), CancellationToken.None);

        Assert.Equal(1, cache.Stats.Loads);
        Assert.Equal(1, cache.Stats.Entries);
    }

    [Fact]
    public void NewFingerprint_LoadsAgain_AndFreesTheOldValueOnlyWhenItsLeaseEnds()
    {
        using var cache = new LeasedLruCache(1000);
        var old = cache.Acquire("a", "v1", 10, () => new Fake(10), CancellationToken.None);

        using var fresh = cache.Acquire("a", "v2", 10, () => new Fake(20), CancellationToken.None);

        Assert.NotSame(old.Value, fresh.Value);
        Assert.False(old.Value.Disposed);
        old.Dispose();
        Assert.True(old.Value.Disposed);
        Assert.Equal(2, cache.Stats.Loads);
        Assert.Equal(20, cache.Stats.CachedBytes);
    }

    [Fact]
    public void WaitForAnotherRequestsLoad_HonoursCancellation()
    {
        using var cache = new LeasedLruCache(100);
        using var release = new ManualResetEventSlim();
        var loader = Task.Factory.StartNew(() =>
        {
            using var lease = cache.Acquire("a", "v1", 10, () => { release.Wait(TimeSpan.FromSeconds(10)); return new Fake(10); }, CancellationToken.None);
        }, TaskCreationOptions.LongRunning);
        SpinWait.SpinUntil(() => cache.Stats.Entries == 1, TimeSpan.FromSeconds(10));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        Assert.ThrowsAny<OperationCanceledException>(() => cache.Acquire("a", "v1", 10, () => new Fake(10), cancel.Token));
        release.Set();
        loader.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(1, cache.Stats.Loads);
    }

    private static Fake Use(LeasedLruCache cache, string key, long bytes)
    {
        using var lease = cache.Acquire(key, "v1", bytes, () => new Fake(bytes), CancellationToken.None);
        return lease.Value;
    }

    private sealed class Fake(long bytes) : ICachedValue
    {
        public long Bytes => bytes;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }
}
