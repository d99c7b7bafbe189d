using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>transformers' defaults for one Llama-shaped family (what a config.json that omits a key means).</summary>
internal sealed record LlamaDefaults(int Vocab, int Hidden, int Intermediate, int Layers, int Heads, int? KvHeads, int MaxPositions, double RmsEps, int? HeadDim = null);

/// <summary>The switches a Llama-shaped family sets on top of the shared layout.</summary>
internal sealed record LlamaVariant
{
    public required string ModelType { get; init; }
    public required LlamaDefaults Defaults { get; init; }
    public Func<ConfigReader, (bool Qkv, bool Output)> AttentionBias { get; init; } = _ => (false, false);
    public Func<ConfigReader, bool> MlpBias { get; init; } = _ => false;
    public Func<ConfigReader, int, IReadOnlyList<int?>> Windows { get; init; } = (_, layers) => SlidingWindows.None(layers);
    public bool QkNorm { get; init; }
    public bool FusedProjections { get; init; }
    public bool ReadsPartialRotary { get; init; }
}

/// <summary>
/// The decoder layout Llama, Mistral, Qwen2/3 and Phi-3 share (RMSNorm, RoPE, GQA, SiLU-gated MLP, sequential
/// residual, model.layers.N.{self_attn,mlp} keys) read from config.json with a family's defaults and switches.
/// </summary>
internal static class LlamaLike
{
    public static DecoderSpec Describe(ConfigReader c, LlamaVariant v)
    {
        var d = v.Defaults;
        var hidden = c.Positive("hidden_size", d.Hidden);
        var heads = c.Positive("num_attention_heads", d.Heads);
        var kvHeads = c.Positive("num_key_value_heads", d.KvHeads ?? heads);
        var layers = c.Positive("num_hidden_layers", d.Layers);
        var maxPositions = c.Positive("max_position_embeddings", d.MaxPositions);
        var headDim = (d.HeadDim is { } dh ? c.Int("head_dim", dh) : c.IntOrNull("head_dim")) ?? (hidden % heads == 0 ? hidden / heads
            : throw new InvalidDataException($"{c.Family} config.json: hidden_size {hidden} is not divisible by num_attention_heads {heads}; set head_dim."));
        if (heads % kvHeads != 0)
            throw new InvalidDataException($"{c.Family} config.json: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}.");
        var activation = Activation(c, "hidden_act", "silu");
        var eps = c.Double("rms_norm_eps", d.RmsEps);
        var partial = v.ReadsPartialRotary ? c.Double("partial_rotary_factor", 1.0) : 1.0;
        var (qkvBias, outputBias) = v.AttentionBias(c);
        var norm = new NormSpec(NormKind.RmsNorm, eps, Bias: false);
        return new DecoderSpec
        {
            ModelType = v.ModelType,
            Keys = Keys,
            VocabSize = c.Positive("vocab_size", d.Vocab),
            HiddenSize = hidden,
            Layers = layers,
            ContextLength = maxPositions,
            Norm = norm,
            Attention = new AttentionSpec
            {
                Heads = heads, KeyValueHeads = kvHeads, HeadDim = headDim,
                FusedQkv = v.FusedProjections, QkvBias = qkvBias, OutputBias = outputBias,
                Rope = RopeConfig.Read(c, headDim, partial, maxPositions),
                QkNorm = v.QkNorm ? norm : null,
                Dropout = c.Double("attention_dropout", 0.0),
            },
            Mlp = new MlpSpec(MlpKind.Gated, c.Positive("intermediate_size", d.Intermediate), activation, v.MlpBias(c), v.FusedProjections),
            SlidingWindows = v.Windows(c, layers),
            TieWordEmbeddings = c.Bool("tie_word_embeddings", false),
            ResidualDropout = v.FusedProjections ? c.Double("resid_pdrop", 0.0) : 0.0,
            EmbeddingDropout = v.FusedProjections ? c.Double("embd_pdrop", 0.0) : 0.0,
            InitializerRange = c.Double("initializer_range", 0.02),
        };
    }

    public static DecoderKeys Keys { get; } = new()
    {
        Embedding = "model.embed_tokens",
        LayerPrefix = "model.layers.{0}",
        InputNorm = "input_layernorm",
        PostAttentionNorm = "post_attention_layernorm",
        Attention = "self_attn",
        Mlp = "mlp",
        FinalNorm = "model.norm",
    };

    public static string Activation(ConfigReader c, string key, string fallback)
    {
        var name = c.String(key, fallback);
        return Activations.Supported.Contains(name) ? name
            : throw new NotSupportedException($"{c.Family} config.json: \"{key}\": \"{name}\" is not supported. " +
                $"Supported: {string.Join(", ", Activations.Supported)}.");
    }

    /// <summary>Refuses a bias switch the transformers class does not have (it would silently drop the weights).</summary>
    public static void RefuseTrue(ConfigReader c, string key, string className) =>
        c.RequireAbsentOr(key, n => n is System.Text.Json.Nodes.JsonValue jv && jv.TryGetValue<bool>(out var b) && !b,
            $"{className} has no {key}");
}
