namespace LocalFineTune.Models.Decoder;

/// <summary>How a norm layer normalises: RMSNorm (Llama, Mistral, Qwen, Phi-3) or LayerNorm with bias (GPT-2, Phi).</summary>
public enum NormKind { RmsNorm, LayerNorm }

/// <summary>Where the MLP and attention read from: one after the other (Llama) or both from the same normed input (Phi).</summary>
public enum ResidualKind { Sequential, Parallel }

/// <summary>The MLP's shape: up → act → down (GPT-2, Phi) or down(act(gate) · up) (Llama and kin).</summary>
public enum MlpKind { Plain, Gated }

/// <summary>How a checkpoint stores a linear weight: [out, in] as nn.Linear, or [in, out] as GPT-2's Conv1D.</summary>
public enum LinearLayout { OutIn, InOut }

public sealed record NormSpec(NormKind Kind, double Epsilon, bool Bias);

/// <summary>
/// Rotary position embedding (rotate-half form). <see cref="InverseFrequencies"/> already carries any rope_scaling
/// (linear, llama3), so the attention only multiplies positions by them. <see cref="RotaryDim"/> &lt; head_dim
/// is Phi's partial rotary: the remaining dimensions pass through unrotated.
/// </summary>
public sealed record RopeSpec(int RotaryDim, double[] InverseFrequencies);

/// <summary>Everything one self-attention layer needs; the key names come from <see cref="DecoderKeys"/>.</summary>
public sealed record AttentionSpec
{
    public required int Heads { get; init; }
    public required int KeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    /// <summary>q/k/v in one weight (GPT-2's c_attn, Phi-3's qkv_proj) instead of three.</summary>
    public bool FusedQkv { get; init; }
    public bool QkvBias { get; init; }
    public bool OutputBias { get; init; }
    /// <summary>Null for learned absolute positions (GPT-2).</summary>
    public RopeSpec? Rope { get; init; }
    /// <summary>Per-head norm of queries and keys before RoPE (Qwen3's q_norm/k_norm, Phi's qk_layernorm).</summary>
    public NormSpec? QkNorm { get; init; }
    /// <summary>Score scale; null = 1/sqrt(head_dim).</summary>
    public double? Scale { get; init; }
    /// <summary>GPT-2's scale_attn_by_inverse_layer_idx: layer i further divides its scores by i + 1.</summary>
    public bool ScaleByInverseLayerIndex { get; init; }
    public double Dropout { get; init; }
}

public sealed record MlpSpec(MlpKind Kind, int IntermediateSize, string Activation, bool Bias, bool FusedGateUp = false);

/// <summary>
/// Checkpoint key names of one family. Layer-local names are relative to <see cref="LayerPrefix"/>
/// ("model.layers.{0}"); a null name means the module has no such part.
/// </summary>
public sealed record DecoderKeys
{
    public required string Embedding { get; init; }
    public string? PositionEmbedding { get; init; }
    public required string LayerPrefix { get; init; }
    public required string InputNorm { get; init; }
    /// <summary>Null in a parallel block (Phi has only input_layernorm).</summary>
    public string? PostAttentionNorm { get; init; }
    public required string Attention { get; init; }
    public string Query { get; init; } = "q_proj";
    public string Key { get; init; } = "k_proj";
    public string Value { get; init; } = "v_proj";
    public string FusedQkv { get; init; } = "qkv_proj";
    public string Output { get; init; } = "o_proj";
    public string QueryNorm { get; init; } = "q_norm";
    public string KeyNorm { get; init; } = "k_norm";
    public required string Mlp { get; init; }
    public string Up { get; init; } = "up_proj";
    public string Gate { get; init; } = "gate_proj";
    public string FusedGateUp { get; init; } = "gate_up_proj";
    public string Down { get; init; } = "down_proj";
    public required string FinalNorm { get; init; }
    public string LmHead { get; init; } = "lm_head";

    public string Layer(int index) => string.Format(LayerPrefix, index);
}

/// <summary>
/// One decoder-only transformer, as a family file derives it from config.json. Every architecture we load
/// is this record plus its key names: the components read nothing else.
/// </summary>
public sealed record DecoderSpec
{
    public required string ModelType { get; init; }
    public required DecoderKeys Keys { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int Layers { get; init; }
    public required int ContextLength { get; init; }
    public required NormSpec Norm { get; init; }
    public required AttentionSpec Attention { get; init; }
    public required MlpSpec Mlp { get; init; }
    public ResidualKind Residual { get; init; } = ResidualKind.Sequential;
    /// <summary>Per layer: the attention window (each query sees the last W keys, itself included), or null for full causal.</summary>
    public required IReadOnlyList<int?> SlidingWindows { get; init; }
    public LinearLayout LinearLayout { get; init; } = LinearLayout.OutIn;
    public bool TieWordEmbeddings { get; init; }
    public bool LmHeadBias { get; init; }
    public double EmbeddingDropout { get; init; }
    /// <summary>Dropout on the attention and MLP outputs before they join the residual.</summary>
    public double ResidualDropout { get; init; }
    /// <summary>Std of the normal init of a fresh model (initializer_range).</summary>
    public double InitializerRange { get; init; } = 0.02;
}
