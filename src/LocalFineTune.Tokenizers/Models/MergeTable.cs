namespace LocalFineTune.Tokenizers.Models;

/// <summary>
/// The merges as (left id, right id) → rank, in an open-addressing table: the merge loop looks a pair
/// up for every candidate and every stale heap entry, so this lookup is the hot path of BPE.
/// Each rank names one merge, so the merged id is kept per rank.
/// </summary>
internal sealed class MergeTable
{
    private const long Empty = -1; // no pair of non-negative ids packs to all ones
    private readonly long[] _keys;
    private readonly int[] _ranks;
    private readonly int[] _mergedIdByRank;
    private readonly int _mask;
    private readonly int _shift;

    /// <param name="merges">(left id, right id, merged id) in rank order. Like HF, a pair listed twice keeps its last rank.</param>
    public MergeTable(IReadOnlyList<(int Left, int Right, int Merged)> merges)
    {
        var capacity = 16;
        while (capacity < merges.Count * 2) capacity <<= 1;
        _keys = new long[capacity];
        Array.Fill(_keys, Empty);
        _ranks = new int[capacity];
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        _mergedIdByRank = new int[merges.Count];
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right, merged) = merges[rank];
            _mergedIdByRank[rank] = merged;
            var key = PairKey(left, right);
            var slot = SlotOf(key);
            while (_keys[slot] != Empty && _keys[slot] != key) slot = (slot + 1) & _mask;
            _keys[slot] = key;
            _ranks[slot] = rank;
        }
    }

    public int Count => _mergedIdByRank.Length;

    /// <summary>The rank of merging left with right, or -1 when the pair is not a merge.</summary>
    public int RankOf(int left, int right)
    {
        var key = PairKey(left, right);
        for (var slot = SlotOf(key); ; slot = (slot + 1) & _mask)
        {
            var found = _keys[slot];
            if (found == key) return _ranks[slot];
            if (found == Empty) return -1;
        }
    }

    public int MergedId(int rank) => _mergedIdByRank[rank];

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Fibonacci hashing: the top bits of key × 2^64/φ spread consecutive ids well.</summary>
    private int SlotOf(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);
}
