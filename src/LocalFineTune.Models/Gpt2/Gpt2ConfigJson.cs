using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalFineTune.Models.Gpt2;

/// <summary>Reads and writes GPT-2's config.json the way transformers' GPT2Config does.</summary>
public static class Gpt2ConfigJson
{
    /// <summary>Keys this class maps to <see cref="Gpt2Config"/> properties (plus those it always writes).</summary>
    private static readonly HashSet<string> ModelledKeys =
    [
        "vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "n_inner", "activation_function",
        "resid_pdrop", "embd_pdrop", "attn_pdrop", "layer_norm_epsilon", "initializer_range", "scale_attn_weights",
        "scale_attn_by_inverse_layer_idx", "tie_word_embeddings", "bos_token_id", "eos_token_id", "torch_dtype", "dtype",
        "model_type", "architectures", "n_ctx", "transformers_version",
    ];

    public static Gpt2Config Load(string configPath)
    {
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"No config.json at '{configPath}': a Hugging Face model folder needs one " +
                "(copy it from the model's repository).", configPath);
        try { return Parse(File.ReadAllText(configPath)); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"config.json at '{configPath}' is not a valid GPT-2 config: {e.Message}", e);
        }
    }

    public static Gpt2Config Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject
            ?? throw new InvalidDataException("config.json must be a JSON object.");
        var modelType = root["model_type"]?.GetValue<string>();
        if (modelType is not null && modelType != "gpt2")
            throw new NotSupportedException($"config.json has model_type \"{modelType}\"; only \"gpt2\" models are supported so far.");
        var defaults = new Gpt2Config();
        return new Gpt2Config
        {
            VocabSize = Int(root, "vocab_size") ?? defaults.VocabSize,
            NPositions = Int(root, "n_positions") ?? defaults.NPositions,
            NEmbd = Int(root, "n_embd") ?? defaults.NEmbd,
            NLayer = Int(root, "n_layer") ?? defaults.NLayer,
            NHead = Int(root, "n_head") ?? defaults.NHead,
            NInner = Int(root, "n_inner"),
            ActivationFunction = root["activation_function"]?.GetValue<string>() ?? defaults.ActivationFunction,
            ResidPdrop = Double(root, "resid_pdrop") ?? defaults.ResidPdrop,
            EmbdPdrop = Double(root, "embd_pdrop") ?? defaults.EmbdPdrop,
            AttnPdrop = Double(root, "attn_pdrop") ?? defaults.AttnPdrop,
            LayerNormEpsilon = Double(root, "layer_norm_epsilon") ?? defaults.LayerNormEpsilon,
            InitializerRange = Double(root, "initializer_range") ?? defaults.InitializerRange,
            ScaleAttnWeights = root["scale_attn_weights"]?.GetValue<bool>() ?? true,
            ScaleAttnByInverseLayerIdx = root["scale_attn_by_inverse_layer_idx"]?.GetValue<bool>() ?? false,
            TieWordEmbeddings = root["tie_word_embeddings"]?.GetValue<bool>() ?? true,
            BosTokenId = Int(root, "bos_token_id"),
            EosTokenId = Int(root, "eos_token_id"),
            // transformers 5 writes "dtype", 4.x "torch_dtype".
            TorchDtype = (root["torch_dtype"] ?? root["dtype"])?.GetValue<string>() ?? defaults.TorchDtype,
            OtherKeys = root.Where(p => !ModelledKeys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value?.DeepClone()),
        }.Validate();
    }

    /// <summary>config.json text as GPT2Config.save_pretrained writes it: sorted keys, two-space indent.</summary>
    public static string ToJson(Gpt2Config config, string? torchDtype = null)
    {
        var keys = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["activation_function"] = config.ActivationFunction,
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["attn_pdrop"] = config.AttnPdrop,
            ["bos_token_id"] = config.BosTokenId,
            ["embd_pdrop"] = config.EmbdPdrop,
            ["eos_token_id"] = config.EosTokenId,
            ["initializer_range"] = config.InitializerRange,
            ["layer_norm_epsilon"] = config.LayerNormEpsilon,
            ["model_type"] = "gpt2",
            ["n_ctx"] = config.NPositions,
            ["n_embd"] = config.NEmbd,
            ["n_head"] = config.NHead,
            ["n_inner"] = config.NInner,
            ["n_layer"] = config.NLayer,
            ["n_positions"] = config.NPositions,
            ["resid_pdrop"] = config.ResidPdrop,
            ["scale_attn_by_inverse_layer_idx"] = config.ScaleAttnByInverseLayerIdx,
            ["scale_attn_weights"] = config.ScaleAttnWeights,
            ["tie_word_embeddings"] = config.TieWordEmbeddings,
            ["torch_dtype"] = torchDtype ?? config.TorchDtype,
            ["transformers_version"] = "4.57.1",
            ["vocab_size"] = config.VocabSize,
        };
        foreach (var (key, value) in config.OtherKeys) keys.TryAdd(key, value?.DeepClone());
        var root = new JsonObject();
        foreach (var (key, value) in keys) root[key] = value;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>generation_config.json as transformers derives it from the model config.</summary>
    public static string GenerationConfigJson(Gpt2Config config)
    {
        var root = new JsonObject { ["_from_model_config"] = true };
        if (config.BosTokenId is { } bos) root["bos_token_id"] = bos;
        if (config.EosTokenId is { } eos) root["eos_token_id"] = eos;
        root["transformers_version"] = "4.57.1";
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static int? Int(JsonObject root, string key) => root[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) => (int)d,
        var other => throw new InvalidDataException($"config.json \"{key}\" must be an integer, not {other.ToJsonString()}."),
    };

    private static double? Double(JsonObject root, string key) => root[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        var other => throw new InvalidDataException($"config.json \"{key}\" must be a number, not {other.ToJsonString()}."),
    };
}
