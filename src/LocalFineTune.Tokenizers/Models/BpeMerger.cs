namespace LocalFineTune.Tokenizers.Models;

/// <summary>
/// Applies BPE merges to one word in O(n log n), as HF's word.rs does: the symbols form a linked list
/// (arrays of prev/next), every adjacent pair that is a merge sits in a min-heap keyed by (rank,
/// position), and entries made stale by an earlier merge are skipped when they surface. The lowest
/// rank merges first, the leftmost on ties; the staleness test is HF's (the pair now at that
/// position must merge into the same id), so even odd vocabularies merge exactly as HF does.
/// </summary>
internal sealed class BpeMerger
{
    /// <summary>How many heap pops between two looks at the cancellation token.</summary>
    private const int CancellationCheckInterval = 4096;

    /// <summary>Work arrays for words up to this many chars are kept per thread; longer words get their own.</summary>
    private const int RetainedWordLength = 4096;

    [ThreadStatic] private static BpeMerger? _perThread;

    private int[] _symbols = [];
    private int[] _next = [];
    private int[] _prev = [];
    private long[] _heap = [];
    private int _heapCount;

    public static BpeMerger ForCurrentThread(int wordLength)
    {
        if (wordLength > RetainedWordLength) return new BpeMerger();
        return _perThread ??= new BpeMerger();
    }

    /// <summary>A buffer of at least capacity ids for the initial symbols, reused by this thread.</summary>
    public int[] SymbolBuffer(int capacity)
    {
        if (_symbols.Length < capacity) _symbols = new int[Math.Max(capacity, 64)];
        return _symbols;
    }

    /// <summary>Merges symbols[0..count) in place; returns the number of symbols left.</summary>
    public int Merge(int[] symbols, int count, MergeTable merges, CancellationToken cancellationToken)
    {
        if (count < 2 || merges.Count == 0) return count;
        Link(count);
        FillHeap(symbols, count, merges, cancellationToken);
        var pops = 0;
        while (_heapCount > 0)
        {
            if (++pops % CancellationCheckInterval == 0) cancellationToken.ThrowIfCancellationRequested();
            var top = Pop();
            var rank = (int)(top >> 32);
            var position = (int)top;
            var right = _next[position];
            if (symbols[position] < 0 || right < 0) continue; // removed, or the last symbol
            var current = merges.RankOf(symbols[position], symbols[right]);
            var merged = merges.MergedId(rank);
            if (current < 0 || merges.MergedId(current) != merged) continue; // stale entry
            MergeAt(symbols, position, right, merged, merges);
        }
        return Compact(symbols, count);
    }

    private void MergeAt(int[] symbols, int position, int right, int merged, MergeTable merges)
    {
        symbols[position] = merged;
        symbols[right] = -1;
        var after = _next[right];
        _next[position] = after;
        if (after >= 0) _prev[after] = position;
        var before = _prev[position];
        if (before >= 0) PushIfMerge(symbols[before], merged, before, merges);
        if (after >= 0) PushIfMerge(merged, symbols[after], position, merges);
    }

    private void Link(int count)
    {
        if (_next.Length < count)
        {
            _next = new int[count];
            _prev = new int[count];
        }
        for (var i = 0; i < count; i++)
        {
            _prev[i] = i - 1;
            _next[i] = i + 1;
        }
        _next[count - 1] = -1;
    }

    private void FillHeap(int[] symbols, int count, MergeTable merges, CancellationToken cancellationToken)
    {
        // The initial pairs fit in count; each merge pops one entry and pushes at most two, so the heap
        // can grow to 2 × count, but rarely does: start at count and grow on demand.
        if (_heap.Length < count) _heap = new long[count + 16];
        _heapCount = 0;
        for (var i = 0; i + 1 < count; i++)
        {
            if (i % (16 * CancellationCheckInterval) == 0) cancellationToken.ThrowIfCancellationRequested();
            var rank = merges.RankOf(symbols[i], symbols[i + 1]);
            if (rank >= 0) _heap[_heapCount++] = Key(rank, i);
        }
        for (var i = (_heapCount - 2) / 4; i >= 0; i--) SiftDown(i);
    }

    private void PushIfMerge(int left, int right, int position, MergeTable merges)
    {
        var rank = merges.RankOf(left, right);
        if (rank < 0) return;
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, 2 * _heap.Length);
        var i = _heapCount++;
        var key = Key(rank, position);
        while (i > 0)
        {
            var parent = (i - 1) >> 2;
            if (_heap[parent] <= key) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = key;
    }

    private long Pop()
    {
        var top = _heap[0];
        _heap[0] = _heap[--_heapCount];
        if (_heapCount > 0) SiftDown(0);
        return top;
    }

    /// <summary>A 4-ary heap (as HF's): half the depth of a binary one, and the four children share a cache line.</summary>
    private void SiftDown(int i)
    {
        var key = _heap[i];
        while (true)
        {
            var first = 4 * i + 1;
            if (first >= _heapCount) break;
            var smallest = first;
            var end = Math.Min(first + 4, _heapCount);
            for (var child = first + 1; child < end; child++)
                if (_heap[child] < _heap[smallest]) smallest = child;
            if (_heap[smallest] >= key) break;
            _heap[i] = _heap[smallest];
            i = smallest;
        }
        _heap[i] = key;
    }

    /// <summary>Rank in the high half, position in the low half: ordering the longs orders (rank, position).</summary>
    private static long Key(int rank, int position) => ((long)rank << 32) | (uint)position;

    private static int Compact(int[] symbols, int count)
    {
        var kept = 0;
        for (var i = 0; i < count; i++)
            if (symbols[i] >= 0) symbols[kept++] = symbols[i];
        return kept;
    }
}
