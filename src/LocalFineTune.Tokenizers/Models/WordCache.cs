using System.Collections.Concurrent;

namespace LocalFineTune.Tokenizers.Models;

/// <summary>
/// The ids of recently encoded words, bounded in memory and safe to use from many threads.
/// </summary>
/// <remarks>
/// Two generations: words go into the current one; when it holds maxEntries words or maxUnits
/// (key chars + ids), it becomes the previous one and the old previous one is dropped. A hit in the
/// previous generation moves the word forward, so words still in use survive a rotation (an
/// approximate LRU without per-hit bookkeeping). Memory stays below two generations however many
/// distinct words a service sees. Long words are not cached at all (HF does the same): they rarely
/// repeat and would crowd out the short ones that do.
/// </remarks>
internal sealed class WordCache
{
    public const int DefaultMaxWordLength = 256;
    public const int DefaultMaxEntries = 50_000;
    public const long DefaultMaxUnits = 2_000_000;

    private readonly int _maxWordLength;
    private readonly int _maxEntries;
    private readonly long _maxUnits;
    private readonly object _rotation = new();
    private Generation _current = new();
    private Generation _previous = new();

    public WordCache(int maxWordLength = DefaultMaxWordLength, int maxEntries = DefaultMaxEntries, long maxUnits = DefaultMaxUnits)
    {
        (_maxWordLength, _maxEntries, _maxUnits) = (maxWordLength, maxEntries, maxUnits);
    }

    /// <summary>Words held now (both generations), for tests and benchmarks.</summary>
    public int Count => Volatile.Read(ref _current).Words.Count + Volatile.Read(ref _previous).Words.Count;

    /// <summary>Chars of the cached words plus their ids (both generations): the memory the cache holds, in units.</summary>
    public long Units => Interlocked.Read(ref Volatile.Read(ref _current).Units) + Interlocked.Read(ref Volatile.Read(ref _previous).Units);

    public bool TryGet(ReadOnlySpan<char> word, out int[] ids)
    {
        if (word.Length > _maxWordLength) { ids = []; return false; }
        if (Volatile.Read(ref _current).Lookup.TryGetValue(word, out ids!)) return true;
        var previous = Volatile.Read(ref _previous);
        if (!previous.Lookup.TryGetValue(word, out var key, out ids!)) return false;
        Add(key, ids);
        return true;
    }

    /// <summary>Caches the ids of word unless it is longer than the cache takes.</summary>
    public void Add(ReadOnlySpan<char> word, int[] ids)
    {
        if (word.Length <= _maxWordLength) Add(word.ToString(), ids);
    }

    private void Add(string word, int[] ids)
    {
        var current = Volatile.Read(ref _current);
        if (!current.Words.TryAdd(word, ids)) return;
        var entries = Interlocked.Increment(ref current.Entries);
        var units = Interlocked.Add(ref current.Units, word.Length + ids.Length);
        if (entries >= _maxEntries || units >= _maxUnits) Rotate(current);
    }

    private void Rotate(Generation full)
    {
        lock (_rotation)
        {
            if (!ReferenceEquals(_current, full)) return; // another thread rotated it already
            Volatile.Write(ref _previous, full);
            Volatile.Write(ref _current, new Generation());
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, int[]> Words = new();
        public readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> Lookup;
        public int Entries;
        public long Units;

        public Generation() => Lookup = Words.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
