using LocalFineTune.Tokenizers.Decoders;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Models;
using LocalFineTune.Tokenizers.Normalizers;
using LocalFineTune.Tokenizers.Pipeline;
using LocalFineTune.Tokenizers.PostProcessors;
using LocalFineTune.Tokenizers.PreTokenizers;

namespace LocalFineTune.Tokenizers;

/// <summary>
/// A Hugging Face-compatible BPE tokenizer. Encoding runs the HF pipeline: added tokens are split out
/// first, then normalizer → pre-tokenizer → BPE model → post-processor; Decode runs the decoder.
/// Thread-safe: one instance can encode from many threads.
/// </summary>
public sealed partial class Tokenizer
{
    private readonly BpeModel _model;
    private readonly Normalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly PostProcessor? _postProcessor;
    private readonly Decoder? _decoder;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Dictionary<string, AddedToken> _addedByContent;
    private readonly AddedTokenMatcher _rawMatcher;
    private readonly AddedTokenMatcher _normalizedMatcher;

    private Tokenizer(BpeModel model, Normalizer? normalizer, PreTokenizer? preTokenizer, PostProcessor? postProcessor,
        Decoder? decoder, IReadOnlyList<AddedToken> addedTokens, SpecialTokenConfig config, IReadOnlyList<string> sourceFiles)
    {
        (_model, _normalizer, _preTokenizer, _postProcessor, _decoder) = (model, normalizer, preTokenizer, postProcessor, decoder);
        AddedTokens = addedTokens;
        _addedById = addedTokens.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.Last());
        _addedByContent = addedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.Last());
        _rawMatcher = new AddedTokenMatcher(addedTokens.Where(t => !t.Normalized).Select(t => (t.Content, t)));
        // HF looks for normalized added tokens in normalized text, so it normalizes their content too.
        _normalizedMatcher = new AddedTokenMatcher(addedTokens.Where(t => t.Normalized)
            .Select(t => (normalizer?.Normalize(t.Content) ?? t.Content, t)));
        SourceFiles = sourceFiles;
        ChatTemplate = config.ChatTemplate;
        BosTokenId = IdOf(config.BosToken);
        EosTokenId = IdOf(config.EosToken);
        UnkTokenId = IdOf(config.UnkToken ?? model.Options.UnkToken);
        ExplicitPadTokenId = IdOf(config.PadToken);
        VocabSize = Math.Max(model.VocabSize, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
    }

    /// <summary>Number of ids (model vocabulary plus added tokens), i.e. the embedding rows a model needs.</summary>
    public int VocabSize { get; }
    public int? BosTokenId { get; }
    public int? EosTokenId { get; }
    public int? UnkTokenId { get; }
    /// <summary>The pad token only when the model defines one.</summary>
    public int? ExplicitPadTokenId { get; }
    /// <summary>
    /// The id used to pad batches. Models without a pad token (GPT-2) pad with EOS, as HF's
    /// fine-tuning recipes do; padded positions are masked out of the loss anyway. 0 if neither exists.
    /// </summary>
    public int PadTokenId => ExplicitPadTokenId ?? EosTokenId ?? 0;
    /// <summary>The raw Jinja chat_template from tokenizer_config.json, if any.</summary>
    public string? ChatTemplate { get; }
    /// <summary>Files this tokenizer was loaded from; copy them next to a fine-tuned model.</summary>
    public IReadOnlyList<string> SourceFiles { get; }
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public int? TokenToId(string token) =>
        token is null ? null : _addedByContent.TryGetValue(token, out var added) ? added.Id : _model.TokenToId(token);

    public string? IdToToken(int id) => _addedById.TryGetValue(id, out var added) ? added.Content : _model.IdToToken(id);

    private int? IdOf(string? token) => token is null ? null : TokenToId(token);

    /// <summary>Token ids for text. addSpecialTokens: let the post-processor add BOS/EOS as the model's config says.</summary>
    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        EncodeInto(text, addSpecialTokens, ids, null);
        return ids.ToArray();
    }

    public Encoding EncodeWithOffsets(string text, bool addSpecialTokens = false)
    {
        var ids = new List<int>();
        var offsets = new List<(int, int)>();
        EncodeInto(text, addSpecialTokens, ids, offsets);
        return new Encoding(ids.ToArray(), offsets.ToArray());
    }

    public int CountTokens(string text, bool addSpecialTokens = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        EncodeInto(text, addSpecialTokens, ids, null);
        return ids.Count;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special)) tokens.Add(added.Content);
                continue;
            }
            tokens.Add(_model.IdToToken(id) ?? throw new ArgumentOutOfRangeException(nameof(ids),
                $"Token id {id} is outside the vocabulary (size {VocabSize}). Were these ids produced by another tokenizer?"));
        }
        return _decoder is null ? string.Join(' ', tokens) : string.Concat(_decoder.DecodeChain(tokens));
    }
}
