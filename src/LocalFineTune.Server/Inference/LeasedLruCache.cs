using System.Runtime.ExceptionServices;

namespace LocalFineTune.Server.Inference;

/// <summary>Something the cache keeps: it knows its size and frees its memory on Dispose.</summary>
public interface ICachedValue : IDisposable
{
    long Bytes { get; }
}

/// <summary>What the cache did so far and holds now.</summary>
/// <param name="Loads">Values loaded (each a read of weights from disk).</param>
/// <param name="Hits">Acquisitions served by a value already loaded or being loaded by another request.</param>
/// <param name="Evictions">Idle values freed to stay within the budget.</param>
public sealed record CacheStats(long Loads, long Hits, long Evictions, int Entries, long CachedBytes, long BudgetBytes);

/// <summary>
/// A least-recently-used cache of large values bounded by a byte budget, with leases: a leased value is never freed,
/// whatever the budget says, and an idle one is freed as soon as the budget needs its room. Values are keyed and carry
/// a fingerprint of their source; a request with another fingerprint retires the old value (freed when its last lease
/// ends) and loads a new one. Concurrent requests for one key load it once: the first loads on its own thread, the
/// others wait for it. A value larger than the budget is loaded, shared while leased and freed when the last lease ends.
/// </summary>
public sealed class LeasedLruCache(long budgetBytes) : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // first = most recently used
    private long _cachedBytes, _loads, _hits, _evictions;

    public long BudgetBytes => budgetBytes;

    public CacheStats Stats
    {
        get { lock (_lock) return new CacheStats(_loads, _hits, _evictions, _entries.Count, _cachedBytes, budgetBytes); }
    }

    /// <summary>Keys of the loaded values, most recently used first.</summary>
    public IReadOnlyList<string> Keys
    {
        get { lock (_lock) return _recency.Where(e => e.Value is not null).Select(e => e.Key).ToList(); }
    }

    /// <summary>
    /// A lease on the value for <paramref name="key"/>, loading it with <paramref name="load"/> (on this thread) when it
    /// is not cached under <paramref name="fingerprint"/>. <paramref name="estimatedBytes"/> is made room for before loading,
    /// so an old model is freed before a new one is read rather than after. Dispose the lease when done with the value.
    /// </summary>
    public CacheLease<T> Acquire<T>(string key, string fingerprint, long estimatedBytes, Func<T> load, CancellationToken cancellation)
        where T : class, ICachedValue
    {
        var toFree = new List<ICachedValue>();
        Entry entry;
        bool mustLoad;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var found) && found.Fingerprint != fingerprint)
            {
                Retire(found, toFree);
                found = null;
            }
            mustLoad = found is null;
            if (found is null)
            {
                entry = new Entry(key, fingerprint);
                _entries[key] = entry;
                entry.Node = _recency.AddFirst(entry);
                MakeRoom(estimatedBytes, toFree);
            }
            else
            {
                entry = found;
                _hits++;
                Touch(entry);
            }
            entry.Leases++;
        }
        Free(toFree);
        if (mustLoad) Load(entry, load);
        try
        {
            entry.Loaded.Task.Wait(cancellation);
        }
        catch (Exception e)
        {
            Release(entry);
            if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) ExceptionDispatchInfo.Throw(aggregate.InnerExceptions[0]);
            throw;
        }
        return new CacheLease<T>(this, entry, (T)entry.Value!);
    }

    private void Load<T>(Entry entry, Func<T> load) where T : ICachedValue
    {
        var toFree = new List<ICachedValue>();
        try
        {
            var value = load();
            lock (_lock)
            {
                entry.Value = value;
                _loads++;
                if (!entry.Retired)
                {
                    entry.CountedBytes = value.Bytes;
                    _cachedBytes += value.Bytes;
                    MakeRoom(0, toFree);
                }
            }
            entry.Loaded.SetResult();
        }
        catch (Exception e)
        {
            // Nothing is kept for a failed load: the next request tries again (the folder may be fixed by then).
            lock (_lock) Retire(entry, toFree);
            entry.Loaded.SetException(e);
        }
        Free(toFree);
    }

    internal void Release(Entry entry)
    {
        var toFree = new List<ICachedValue>();
        lock (_lock)
        {
            entry.Leases--;
            if (entry.Retired)
            {
                if (entry.Leases == 0) TakeValue(entry, toFree);
            }
            else
            {
                Touch(entry);
                MakeRoom(0, toFree);
            }
        }
        Free(toFree);
    }

    /// <summary>Frees idle values, least recently used first, until <paramref name="reserve"/> more bytes fit the budget.</summary>
    private void MakeRoom(long reserve, List<ICachedValue> toFree)
    {
        var node = _recency.Last;
        while (node is not null && _cachedBytes + reserve > budgetBytes)
        {
            var previous = node.Previous;
            if (node.Value is { Leases: 0, Value: not null } idle)
            {
                Retire(idle, toFree);
                _evictions++;
            }
            node = previous;
        }
    }

    /// <summary>Takes the entry out of the cache; its value is freed now if idle, else when its last lease ends.</summary>
    private void Retire(Entry entry, List<ICachedValue> toFree)
    {
        if (_entries.TryGetValue(entry.Key, out var current) && ReferenceEquals(current, entry)) _entries.Remove(entry.Key);
        if (entry.Node?.List is not null) _recency.Remove(entry.Node);
        entry.Retired = true;
        _cachedBytes -= entry.CountedBytes;
        entry.CountedBytes = 0;
        if (entry.Leases == 0) TakeValue(entry, toFree);
    }

    private static void TakeValue(Entry entry, List<ICachedValue> toFree)
    {
        if (entry.Value is null) return;
        toFree.Add(entry.Value);
        entry.Value = null;
    }

    private void Touch(Entry entry)
    {
        if (entry.Node?.List is null) return;
        _recency.Remove(entry.Node);
        _recency.AddFirst(entry.Node);
    }

    private static void Free(List<ICachedValue> values)
    {
        foreach (var value in values) value.Dispose();
    }

    /// <summary>Frees every idle value; values still leased are freed when their lease ends.</summary>
    public void Dispose()
    {
        var toFree = new List<ICachedValue>();
        lock (_lock)
        {
            foreach (var entry in _entries.Values.ToList()) Retire(entry, toFree);
        }
        Free(toFree);
    }

    internal sealed class Entry(string key, string fingerprint)
    {
        public string Key { get; } = key;
        public string Fingerprint { get; } = fingerprint;
        public TaskCompletionSource Loaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Entry>? Node { get; set; }
        public ICachedValue? Value { get; set; }
        public long CountedBytes { get; set; }
        public int Leases { get; set; }
        public bool Retired { get; set; }
    }
}

/// <summary>The right to use a cached value until disposed; the value is not freed before.</summary>
public sealed class CacheLease<T> : IDisposable where T : class, ICachedValue
{
    private readonly LeasedLruCache _cache;
    private readonly LeasedLruCache.Entry _entry;
    private int _released;

    internal CacheLease(LeasedLruCache cache, LeasedLruCache.Entry entry, T value)
    {
        _cache = cache;
        _entry = entry;
        Value = value;
    }

    public T Value { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _cache.Release(_entry);
    }
}
