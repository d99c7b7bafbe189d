using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;

namespace LocalFineTune.Tokenizers.Models;

/// <summary>Byte-pair encoding as HF's BPE model does it, with a bounded per-word result cache.</summary>
internal sealed partial class BpeModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly MergeTable _merges;
    private readonly string[] _idToToken;
    // Byte-level and plain words are cached apart: the same text maps to different symbols in each.
    private readonly WordCache _byteLevelCache;
    private readonly WordCache _plainCache;
    private readonly SymbolTable _symbolTable;

    public BpeOptions Options { get; }

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options,
        WordCache? byteLevelCache = null, WordCache? plainCache = null)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        Options = options;
        _idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        _merges = BuildMergeTable(merges);
        (_byteLevelCache, _plainCache) = (byteLevelCache ?? new WordCache(), plainCache ?? new WordCache());
        _symbolTable = new SymbolTable(vocab, options);
        if (options.UnkToken is { } unk && !vocab.ContainsKey(unk))
            throw new FormatException($"tokenizer.json: BPE unk_token '{unk}' is not in the vocabulary. Add it to model.vocab or remove unk_token.");
    }

    public int VocabSize => _idToToken.Length;
    public IReadOnlyDictionary<string, int> Vocab => _vocab;
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>Words held by the caches now (for tests and benchmarks).</summary>
    internal int CachedWords => _byteLevelCache.Count + _plainCache.Count;
    internal long CachedUnits => _byteLevelCache.Units + _plainCache.Units;

    /// <summary>
    /// Ids for one pre-token. byteLevel: the word is plain text whose UTF-8 bytes the model sees as
    /// GPT-2 byte chars; the cache is keyed by the plain text so hits need no mapping.
    /// The returned array may be shared with the cache: do not modify it.
    /// </summary>
    public int[] EncodeWord(ReadOnlySpan<char> word, bool byteLevel, CancellationToken cancellationToken = default)
    {
        var cache = byteLevel ? _byteLevelCache : _plainCache;
        if (cache.TryGet(word, out var cached)) return cached;
        char[]? rented = null;
        var symbolText = byteLevel ? Pipeline.ByteLevelAlphabet.Encode(word, ref rented) : word;
        try
        {
            var ids = EncodeUncached(symbolText, cancellationToken);
            cache.Add(word, ids);
            return ids;
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }
    }

    private int[] EncodeUncached(ReadOnlySpan<char> word, CancellationToken cancellationToken)
    {
        if (word.IsEmpty) return [];
        if (Options.IgnoreMerges && _vocabBySpan.TryGetValue(word, out var whole)) return [whole];
        var merger = BpeMerger.ForCurrentThread(word.Length);
        var symbols = merger.SymbolBuffer(_symbolTable.MaxSymbols(word));
        var count = _symbolTable.InitialSymbols(word, symbols);
        count = merger.Merge(symbols, count, _merges, cancellationToken);
        return symbols.AsSpan(0, count).ToArray();
    }

    private MergeTable BuildMergeTable(IReadOnlyList<(string Left, string Right)> merges)
    {
        var resolved = new List<(int, int, int)>(merges.Count);
        var prefix = Options.ContinuingSubwordPrefix;
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            var merged = left + (prefix.Length > 0 && right.StartsWith(prefix, StringComparison.Ordinal) ? right[prefix.Length..] : right);
            if (!_vocab.TryGetValue(left, out var leftId) || !_vocab.TryGetValue(right, out var rightId) || !_vocab.TryGetValue(merged, out var mergedId))
                throw new FormatException($"tokenizer.json: merge #{rank} '{left} {right}' uses a token missing from the vocabulary. The vocab and merges do not belong together.");
            resolved.Add((leftId, rightId, mergedId));
        }
        return new MergeTable(resolved);
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
