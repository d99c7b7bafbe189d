using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>LlamaForCausalLM (Llama-2, Llama-3.x): attention_bias and mlp_bias switches, rope_scaling linear/llama3.</summary>
public sealed class LlamaFamily : IModelFamily
{
    public string ModelType => "llama";
    public string Architecture => "LlamaForCausalLM";

    public DecoderSpec Describe(ConfigReader config) => LlamaLike.Describe(config, new LlamaVariant
    {
        ModelType = ModelType,
        Defaults = new LlamaDefaults(32000, 4096, 11008, 32, 32, null, 2048, 1e-6),
        AttentionBias = c => c.Bool("attention_bias", false) is var b ? (b, b) : default,
        MlpBias = c => c.Bool("mlp_bias", false),
    });
}

/// <summary>MistralForCausalLM (Mistral-7B, neural-chat): Llama's layout with a sliding window on every layer.</summary>
public sealed class MistralFamily : IModelFamily
{
    public string ModelType => "mistral";
    public string Architecture => "MistralForCausalLM";

    public DecoderSpec Describe(ConfigReader config)
    {
        LlamaLike.RefuseTrue(config, "attention_bias", Architecture);
        LlamaLike.RefuseTrue(config, "mlp_bias", Architecture);
        return LlamaLike.Describe(config, new LlamaVariant
        {
            ModelType = ModelType,
            Defaults = new LlamaDefaults(32000, 4096, 14336, 32, 32, 8, 4096 * 32, 1e-6),
            Windows = (c, layers) => SlidingWindows.Read(c, layers, c.Has("sliding_window") ? c.Int("sliding_window", 4096) : null, _ => true),
        });
    }
}
