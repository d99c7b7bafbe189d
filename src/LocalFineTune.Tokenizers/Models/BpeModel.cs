using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;

namespace LocalFineTune.Tokenizers.Models;

/// <summary>Byte-pair encoding as HF's BPE model does it, with a per-word result cache.</summary>
internal sealed partial class BpeModel
{
    /// <summary>Words are cached like HF does (it keeps 10k); beyond this we stop adding, to bound memory.</summary>
    private const int MaxCachedWords = 200_000;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<long, (int Rank, int MergedId)> _merges;
    private readonly string[] _idToToken;
    private readonly int[]? _byteTokenIds;
    private readonly ConcurrentDictionary<string, int[]> _cache = new();
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    public BpeOptions Options { get; }

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options)
    {
        _vocab = vocab;
        Options = options;
        _idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        _merges = BuildMergeTable(merges);
        _byteTokenIds = options.ByteFallback ? ByteTokenIds() : null;
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        if (options.UnkToken is { } unk && !vocab.ContainsKey(unk))
            throw new FormatException($"tokenizer.json: BPE unk_token '{unk}' is not in the vocabulary. Add it to model.vocab or remove unk_token.");
    }

    public int VocabSize => _idToToken.Length;
    public IReadOnlyDictionary<string, int> Vocab => _vocab;
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>
    /// Ids for one pre-token. byteLevel: the word is plain text whose UTF-8 bytes the model sees as
    /// GPT-2 byte chars; the cache is keyed by the plain text so hits need no mapping.
    /// </summary>
    public int[] EncodeWord(ReadOnlySpan<char> word, bool byteLevel)
    {
        if (_cacheBySpan.TryGetValue(word, out var cached)) return cached;
        var text = word.ToString();
        var ids = EncodeUncached(byteLevel ? Pipeline.ByteLevelAlphabet.Encode(word) : text);
        if (_cache.Count < MaxCachedWords) _cache.TryAdd(text, ids);
        return ids;
    }

    private int[] EncodeUncached(string word)
    {
        if (Options.IgnoreMerges && _vocab.TryGetValue(word, out var whole)) return [whole];
        var symbols = InitialSymbols(word);
        ApplyMerges(symbols);
        return symbols.ToArray();
    }

    /// <summary>One symbol per char (with prefix/suffix), else its byte tokens, else unk (fused if asked).</summary>
    private List<int> InitialSymbols(string word)
    {
        var symbols = new List<int>(word.Length);
        var previousWasUnk = false;
        var index = 0;
        foreach (var rune in word.EnumerateRunes())
        {
            var isFirst = index == 0;
            index += rune.Utf16SequenceLength;
            var isLast = index == word.Length;
            var piece = rune.ToString();
            var token = (isFirst ? "" : Options.ContinuingSubwordPrefix) + piece + (isLast ? Options.EndOfWordSuffix : "");
            if (_vocab.TryGetValue(token, out var id)) { symbols.Add(id); previousWasUnk = false; continue; }
            if (_byteTokenIds is not null && TryAddBytes(piece, symbols)) { previousWasUnk = false; continue; }
            if (Options.UnkToken is null) continue; // HF drops chars it cannot represent when there is no unk.
            if (!(Options.FuseUnk && previousWasUnk)) symbols.Add(_vocab[Options.UnkToken]);
            previousWasUnk = true;
        }
        return symbols;
    }

    private bool TryAddBytes(string piece, List<int> symbols)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(piece);
        foreach (var b in bytes) if (_byteTokenIds![b] < 0) return false;
        foreach (var b in bytes) symbols.Add(_byteTokenIds![b]);
        return true;
    }

    /// <summary>Repeatedly merges the adjacent pair of lowest rank (leftmost on ties), as HF's priority queue does.</summary>
    private void ApplyMerges(List<int> symbols)
    {
        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestIndex = -1;
            var bestId = 0;
            for (var i = 0; i < symbols.Count - 1; i++)
            {
                if (_merges.TryGetValue(PairKey(symbols[i], symbols[i + 1]), out var merge) && merge.Rank < bestRank)
                    (bestRank, bestIndex, bestId) = (merge.Rank, i, merge.MergedId);
            }
            if (bestIndex < 0) return;
            symbols[bestIndex] = bestId;
            symbols.RemoveAt(bestIndex + 1);
        }
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private Dictionary<long, (int Rank, int MergedId)> BuildMergeTable(IReadOnlyList<(string Left, string Right)> merges)
    {
        var table = new Dictionary<long, (int, int)>(merges.Count);
        var prefixLength = Options.ContinuingSubwordPrefix.Length;
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            var merged = left + (prefixLength > 0 && right.StartsWith(Options.ContinuingSubwordPrefix) ? right[prefixLength..] : right);
            if (!_vocab.TryGetValue(left, out var leftId) || !_vocab.TryGetValue(right, out var rightId) || !_vocab.TryGetValue(merged, out var mergedId))
                throw new FormatException($"tokenizer.json: merge #{rank} '{left} {right}' uses a token missing from the vocabulary. The vocab and merges do not belong together.");
            table.TryAdd(PairKey(leftId, rightId), (rank, mergedId));
        }
        return table;
    }

    private int[] ByteTokenIds()
    {
        var ids = new int[256];
        for (var b = 0; b < 256; b++) ids[b] = _vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        return ids;
    }
}

/// <summary>The BPE model options from tokenizer.json ("model" object).</summary>
internal sealed record BpeOptions(
    string? UnkToken = null, bool FuseUnk = false, bool ByteFallback = false, bool IgnoreMerges = false,
    string ContinuingSubwordPrefix = "", string EndOfWordSuffix = "")
{
    public static BpeOptions FromJson(JsonElement model)
    {
        if (ComponentJson.Property(model, "dropout") is { ValueKind: JsonValueKind.Number } dropout && dropout.GetDouble() > 0)
            throw new NotSupportedException("BPE dropout is a training-time augmentation and is not supported: set model.dropout to null.");
        return new BpeOptions(
            ComponentJson.String(model, "unk_token"), ComponentJson.Bool(model, "fuse_unk", false),
            ComponentJson.Bool(model, "byte_fallback", false), ComponentJson.Bool(model, "ignore_merges", false),
            ComponentJson.String(model, "continuing_subword_prefix") ?? "", ComponentJson.String(model, "end_of_word_suffix") ?? "");
    }
}
