using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>
/// Phi3ForCausalLM (Phi-3/3.5-mini): Llama's layout with fused qkv_proj and gate_up_proj, partial_rotary_factor,
/// residual/embedding dropout, and sliding_window on every layer when set. rope_scaling "longrope"/"su" (the 128k
/// variants) is refused by <see cref="RopeConfig"/>.
/// </summary>
public sealed class Phi3Family : IModelFamily
{
    public string ModelType => "phi3";
    public string Architecture => "Phi3ForCausalLM";

    public DecoderSpec Describe(ConfigReader config)
    {
        LlamaLike.RefuseTrue(config, "attention_bias", Architecture);
        LlamaLike.RefuseTrue(config, "mlp_bias", Architecture);
        return LlamaLike.Describe(config, new LlamaVariant
        {
            ModelType = ModelType,
            Defaults = new LlamaDefaults(32064, 3072, 8192, 32, 32, null, 4096, 1e-5),
            Windows = (c, layers) => SlidingWindows.Read(c, layers, c.Root["sliding_window"] is null ? null : c.Int("sliding_window", 0), _ => true),
            FusedProjections = true,
            ReadsPartialRotary = true,
        });
    }
}
