using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>
/// PhiForCausalLM (phi-1, phi-1.5, phi-2): LayerNorm with bias, partial rotary (first head_dim·partial_rotary_factor
/// dims), the parallel block (attention and MLP both read input_layernorm's output), fc1/fc2 with gelu_new, biases
/// everywhere, final_layernorm, lm_head with bias, optional per-head LayerNorm on q and k (qk_layernorm).
/// </summary>
public sealed class PhiFamily : IModelFamily
{
    public string ModelType => "phi";
    public string Architecture => "PhiForCausalLM";

    public DecoderSpec Describe(ConfigReader c)
    {
        var hidden = c.Positive("hidden_size", 2048);
        var heads = c.Positive("num_attention_heads", 32);
        var kvHeads = c.Positive("num_key_value_heads", heads);
        var layers = c.Positive("num_hidden_layers", 24);
        var maxPositions = c.Positive("max_position_embeddings", 2048);
        if (hidden % heads != 0 || heads % kvHeads != 0)
            throw new InvalidDataException($"phi config.json: hidden_size {hidden} must divide by num_attention_heads {heads}, " +
                $"and that by num_key_value_heads {kvHeads}.");
        var headDim = hidden / heads;
        var norm = new NormSpec(NormKind.LayerNorm, c.Double("layer_norm_eps", 1e-5), Bias: true);
        return new DecoderSpec
        {
            ModelType = ModelType,
            Keys = Keys,
            VocabSize = c.Positive("vocab_size", 51200),
            HiddenSize = hidden,
            Layers = layers,
            ContextLength = maxPositions,
            Norm = norm,
            Attention = new AttentionSpec
            {
                Heads = heads, KeyValueHeads = kvHeads, HeadDim = headDim, QkvBias = true, OutputBias = true,
                Rope = RopeConfig.Read(c, headDim, c.Double("partial_rotary_factor", 0.5), maxPositions),
                QkNorm = c.Bool("qk_layernorm", false) ? norm : null,
                Dropout = c.Double("attention_dropout", 0.0),
            },
            Mlp = new MlpSpec(MlpKind.Plain, c.Positive("intermediate_size", 8192), LlamaLike.Activation(c, "hidden_act", "gelu_new"), Bias: true),
            Residual = ResidualKind.Parallel,
            SlidingWindows = SlidingWindows.None(layers),
            TieWordEmbeddings = c.Bool("tie_word_embeddings", false),
            LmHeadBias = true,
            ResidualDropout = c.Double("resid_pdrop", 0.0),
            EmbeddingDropout = c.Double("embd_pdrop", 0.0),
            InitializerRange = c.Double("initializer_range", 0.02),
        };
    }

    private static DecoderKeys Keys { get; } = new()
    {
        Embedding = "model.embed_tokens",
        LayerPrefix = "model.layers.{0}",
        InputNorm = "input_layernorm",
        Attention = "self_attn",
        Output = "dense",
        QueryNorm = "q_layernorm",
        KeyNorm = "k_layernorm",
        Mlp = "mlp",
        Up = "fc1",
        Down = "fc2",
        FinalNorm = "model.final_layernorm",
    };
}
