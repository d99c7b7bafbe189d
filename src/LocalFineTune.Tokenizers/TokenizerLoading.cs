using System.Text.Json;
using LocalFineTune.Tokenizers.Decoders;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Models;
using LocalFineTune.Tokenizers.Normalizers;
using LocalFineTune.Tokenizers.Pipeline;
using LocalFineTune.Tokenizers.PostProcessors;
using LocalFineTune.Tokenizers.PreTokenizers;

namespace LocalFineTune.Tokenizers;

public sealed partial class Tokenizer
{
    private const string GptEndOfText = "<|endoftext|>";

    /// <summary>
    /// Loads a Hugging Face model folder: tokenizer.json if present, else GPT-2's vocab.json + merges.txt;
    /// plus tokenizer_config.json and special_tokens_map.json when they exist.
    /// </summary>
    public static Tokenizer FromFolder(string modelDir)
    {
        if (!Directory.Exists(modelDir))
            throw new DirectoryNotFoundException($"Model folder '{modelDir}' does not exist.");
        var config = Path.Combine(modelDir, "tokenizer_config.json");
        var tokenizerJson = Path.Combine(modelDir, "tokenizer.json");
        if (File.Exists(tokenizerJson)) return FromTokenizerJson(tokenizerJson, File.Exists(config) ? config : null);
        var vocab = Path.Combine(modelDir, "vocab.json");
        var merges = Path.Combine(modelDir, "merges.txt");
        if (File.Exists(vocab) && File.Exists(merges)) return FromVocabAndMerges(vocab, merges, File.Exists(config) ? config : null);
        throw new FileNotFoundException($"No tokenizer in '{modelDir}': expected tokenizer.json, or vocab.json + merges.txt. " +
            "Copy them from the model's Hugging Face repository.");
    }

    public static Tokenizer FromTokenizerJson(string tokenizerJsonPath, string? tokenizerConfigPath = null)
    {
        var json = File.ReadAllText(tokenizerJsonPath);
        var specialTokensMap = SiblingIfExists(tokenizerJsonPath, "special_tokens_map.json");
        var config = SpecialTokenConfig.Load(tokenizerConfigPath, specialTokensMap);
        var sources = new[] { tokenizerJsonPath, tokenizerConfigPath, specialTokensMap }.OfType<string>().ToArray();
        return FromJsonText(json, config, sources);
    }

    /// <summary>Builds a tokenizer from tokenizer.json content (and optionally tokenizer_config.json content).</summary>
    public static Tokenizer FromTokenizerJsonText(string tokenizerJson, string? tokenizerConfigJson = null) =>
        FromJsonText(tokenizerJson, tokenizerConfigJson is null ? new SpecialTokenConfig() : SpecialTokenConfig.Parse(tokenizerConfigJson), []);

    /// <summary>
    /// GPT-2's legacy format, set up as transformers' GPT2TokenizerFast does: byte-level pre-tokenizer
    /// with GPT-2's regex, byte-level decoder, and &lt;|endoftext|&gt; as special token (bos = eos = unk).
    /// </summary>
    public static Tokenizer FromVocabAndMerges(string vocabJsonPath, string mergesTxtPath, string? tokenizerConfigPath = null)
    {
        var model = BpeModel.FromVocabAndMerges(vocabJsonPath, mergesTxtPath, new BpeOptions());
        var specialTokensMap = SiblingIfExists(vocabJsonPath, "special_tokens_map.json");
        var config = SpecialTokenConfig.Load(tokenizerConfigPath, specialTokensMap);
        var hasEndOfText = model.TokenToId(GptEndOfText) is not null;
        config = config with
        {
            BosToken = config.BosToken ?? (hasEndOfText ? GptEndOfText : null),
            EosToken = config.EosToken ?? (hasEndOfText ? GptEndOfText : null),
            UnkToken = config.UnkToken ?? (hasEndOfText ? GptEndOfText : null),
        };
        var added = new[] { config.BosToken, config.EosToken, config.UnkToken, config.PadToken }
            .OfType<string>().Distinct().Where(t => model.TokenToId(t) is not null)
            .Select(t => new AddedToken(model.TokenToId(t)!.Value, t, Special: true)).ToList();
        var postProcessor = ConfiguredPostProcessor(config, model, added, isLlamaStyle: true) ?? new FixedProcessor([], []);
        var sources = new[] { vocabJsonPath, mergesTxtPath, tokenizerConfigPath, specialTokensMap }.OfType<string>().ToArray();
        return new Tokenizer(model, null, new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true), postProcessor,
            new ByteLevelDecoder(), added, config, sources);
    }

    private static Tokenizer FromJsonText(string json, SpecialTokenConfig config, IReadOnlyList<string> sources)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var model = BpeModel.FromJson(ComponentJson.Property(root, "model") ?? throw new FormatException("tokenizer.json has no \"model\"."));
        var added = AssignIds(ComponentJson.Property(root, "added_tokens") is { } list ? list.EnumerateArray().Select(AddedToken.FromJson) : [], model);
        var normalizer = Normalizer.FromJson(Member(root, "normalizer"));
        var preTokenizer = PreTokenizer.FromJson(Member(root, "pre_tokenizer"));
        var isLlamaStyle = config.TokenizerClass is { } cls && (cls.StartsWith("Llama") || cls.StartsWith("CodeLlama") || cls.StartsWith("Gemma"));
        var postProcessor = ConfiguredPostProcessor(config, model, added, isLlamaStyle) ?? PostProcessor.FromJson(Member(root, "post_processor"));
        var decoder = Decoder.FromJson(Member(root, "decoder"));
        return new Tokenizer(model, normalizer, preTokenizer, postProcessor, decoder, added, config, sources);
    }

    /// <summary>
    /// transformers' Llama-family (and GPT-2) tokenizers rebuild the post-processor from add_bos_token /
    /// add_eos_token in tokenizer_config.json, overriding tokenizer.json; others keep tokenizer.json's.
    /// </summary>
    private static PostProcessor? ConfiguredPostProcessor(SpecialTokenConfig config, BpeModel model, IReadOnlyList<AddedToken> added, bool isLlamaStyle)
    {
        if (!isLlamaStyle || (config.AddBosToken is null && config.AddEosToken is null)) return null;
        int? Id(string? token) => token is null ? null : added.FirstOrDefault(t => t.Content == token)?.Id ?? model.TokenToId(token);
        var before = config.AddBosToken == true && Id(config.BosToken) is { } bos ? new[] { bos } : [];
        var after = config.AddEosToken == true && Id(config.EosToken) is { } eos ? new[] { eos } : [];
        return new FixedProcessor(before, after);
    }

    /// <summary>
    /// HF ignores the ids written in added_tokens: a token already in the vocabulary keeps its vocabulary
    /// id, any other gets the next id after the vocabulary and the tokens added before it. Real files agree
    /// with this; hand-edited ones may not, and HF's numbering is the one the model was trained with.
    /// </summary>
    private static List<AddedToken> AssignIds(IEnumerable<AddedToken> tokens, BpeModel model)
    {
        var result = new List<AddedToken>();
        var byContent = new Dictionary<string, int>();
        foreach (var token in tokens)
        {
            if (!byContent.TryGetValue(token.Content, out var id))
                id = model.TokenToId(token.Content) ?? NextNewId(byContent.Values, model.VocabSize);
            byContent[token.Content] = id;
            result.Add(token with { Id = id });
        }
        return result;
    }

    private static int NextNewId(IEnumerable<int> addedIds, int vocabSize)
    {
        var maxAdded = addedIds.DefaultIfEmpty(-1).Max();
        return maxAdded >= vocabSize ? maxAdded + 1 : vocabSize;
    }

    private static JsonElement Member(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value : default;

    private static string? SiblingIfExists(string path, string fileName)
    {
        var sibling = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", fileName);
        return File.Exists(sibling) ? sibling : null;
    }
}
