using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>Qwen2ForCausalLM (Qwen2, Qwen2.5): q/k/v with bias, o_proj without; optional window on layers ≥ max_window_layers.</summary>
public sealed class Qwen2Family : IModelFamily
{
    public string ModelType => "qwen2";
    public string Architecture => "Qwen2ForCausalLM";

    public DecoderSpec Describe(ConfigReader config)
    {
        LlamaLike.RefuseTrue(config, "mlp_bias", Architecture);
        return LlamaLike.Describe(config, new LlamaVariant
        {
            ModelType = ModelType,
            Defaults = new LlamaDefaults(151936, 4096, 22016, 32, 32, null, 32768, 1e-6),
            AttentionBias = _ => (true, false),
            Windows = QwenWindows,
        });
    }

    /// <summary>transformers: sliding_window applies only with use_sliding_window, to layers i ≥ max_window_layers.</summary>
    internal static IReadOnlyList<int?> QwenWindows(ConfigReader c, int layers)
    {
        var use = c.Bool("use_sliding_window", false);
        var window = use && c.Root["sliding_window"] is not null ? c.Int("sliding_window", 4096) : (int?)null;
        var firstSliding = c.Int("max_window_layers", 28);
        return SlidingWindows.Read(c, layers, window, i => i >= firstSliding);
    }
}

/// <summary>Qwen3ForCausalLM: Qwen2's window rule, explicit head_dim, attention_bias on q/k/v/o, per-head RMSNorm q_norm/k_norm before RoPE.</summary>
public sealed class Qwen3Family : IModelFamily
{
    public string ModelType => "qwen3";
    public string Architecture => "Qwen3ForCausalLM";

    public DecoderSpec Describe(ConfigReader config)
    {
        LlamaLike.RefuseTrue(config, "mlp_bias", Architecture);
        return LlamaLike.Describe(config, new LlamaVariant
        {
            ModelType = ModelType,
            Defaults = new LlamaDefaults(151936, 4096, 22016, 32, 32, null, 32768, 1e-6, HeadDim: 128),
            AttentionBias = c => c.Bool("attention_bias", false) is var b ? (b, b) : default,
            Windows = Qwen2Family.QwenWindows,
            QkNorm = true,
        });
    }
}
