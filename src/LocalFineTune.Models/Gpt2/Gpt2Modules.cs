using LocalFineTune.Torch;

namespace LocalFineTune.Models.Gpt2;

/// <summary>
/// GPT-2's "Conv1D": a linear layer whose weight is stored [in, out] (transposed versus nn.Linear), so the
/// checkpoint tensor is used as is: y = x @ W + b.
/// </summary>
internal sealed class Conv1D(Tensor weight, Tensor bias)
{
    public Tensor Weight { get; } = weight;
    public Tensor Bias { get; } = bias;

    public Tensor Forward(Tensor x)
    {
        // x: [..., in] → [rows, in] so one addmm (bias + x·W) does the whole projection.
        var leading = x.Shape[..^1];
        var rows = x.Reshape(-1, x.Size(-1));                 // [rows, in]
        var y = Bias.AddMm(rows, Weight);                     // [rows, out]
        return y.View([.. leading, Weight.Size(1)]);           // [..., out]
    }
}

internal sealed class LayerNormModule(Tensor weight, Tensor bias, double eps)
{
    public Tensor Forward(Tensor x) => Functional.LayerNorm(x, [weight.Size(0)], weight, bias, eps);
}

/// <summary>Multi-head causal self-attention (h.N.attn): fused qkv projection, SDPA, output projection.</summary>
internal sealed class Gpt2Attention(Conv1D cAttn, Conv1D cProj, Gpt2Config config, int layerIndex)
{
    private readonly double _scale = (config.ScaleAttnWeights ? 1.0 / Math.Sqrt(config.HeadDim) : 1.0)
                                     / (config.ScaleAttnByInverseLayerIdx ? layerIndex + 1 : 1);

    public Tensor Forward(Tensor x, KeyValueCache? cache, bool training)
    {
        long batch = x.Size(0), seq = x.Size(1), embd = x.Size(2);
        long heads = config.NHead, headDim = config.HeadDim;
        var qkv = cAttn.Forward(x);                                        // [B, T, 3C]
        var parts = qkv.Split(embd, 2);                                    // 3 × [B, T, C]
        var q = parts[0].View(batch, seq, heads, headDim).Transpose(1, 2); // [B, H, T, D]
        var k = parts[1].View(batch, seq, heads, headDim).Transpose(1, 2); // [B, H, T, D]
        var v = parts[2].View(batch, seq, heads, headDim).Transpose(1, 2); // [B, H, T, D]
        long past = 0;
        if (cache is not null)
        {
            past = cache.LengthOf(layerIndex);
            (k, v) = cache.Append(layerIndex, k, v);                       // [B, H, past+T, D]
        }
        var dropout = training ? config.AttnPdrop : 0.0;
        var y = Attend(q, k, v, seq, past, dropout);                       // [B, H, T, D]
        y = y.Transpose(1, 2).Reshape(batch, seq, embd);                   // [B, T, C]
        return Functional.Dropout(cProj.Forward(y), config.ResidPdrop, training);
    }

    private Tensor Attend(Tensor q, Tensor k, Tensor v, long seq, long past, double dropout)
    {
        // Without a past, the plain lower-triangular mask is right. One new token may see every cached
        // position, so it needs no mask. Several new tokens after a past need the triangle shifted by `past`.
        if (past == 0) return Functional.ScaledDotProductAttention(q, k, v, null, dropout, causal: true, scale: _scale);
        if (seq == 1) return Functional.ScaledDotProductAttention(q, k, v, null, dropout, causal: false, scale: _scale);
        var mayAttend = Tensor.Ones([seq, past + seq], ScalarType.Bool, q.Device).Tril(past); // [T, past+T]
        return Functional.ScaledDotProductAttention(q, k, v, mayAttend, dropout, causal: false, scale: _scale);
    }
}

/// <summary>Position-wise feed-forward (h.N.mlp): c_fc → activation → c_proj.</summary>
internal sealed class Gpt2Mlp(Conv1D cFc, Conv1D cProj, Gpt2Config config)
{
    public Tensor Forward(Tensor x, bool training)
    {
        var hidden = Activate(cFc.Forward(x), config.ActivationFunction); // [B, T, inner]
        return Functional.Dropout(cProj.Forward(hidden), config.ResidPdrop, training); // [B, T, C]
    }

    internal static Tensor Activate(Tensor x, string name) => name switch
    {
        "gelu_new" or "gelu_pytorch_tanh" => Functional.Gelu(x, tanhApproximation: true),
        "gelu" => Functional.Gelu(x),
        "relu" => Functional.Relu(x),
        "silu" or "swish" => Functional.Silu(x),
        "tanh" => x.Tanh(),
        _ => throw new NotSupportedException($"activation_function \"{name}\" is not supported. " +
            $"Supported: {string.Join(", ", Gpt2Config.SupportedActivations)}."),
    };
}

/// <summary>One pre-LayerNorm transformer block (h.N): x + attn(ln_1(x)), then + mlp(ln_2(x)).</summary>
internal sealed class Gpt2Block(LayerNormModule ln1, Gpt2Attention attn, LayerNormModule ln2, Gpt2Mlp mlp)
{
    public Tensor Forward(Tensor x, KeyValueCache? cache, bool training)
    {
        x = x + attn.Forward(ln1.Forward(x), cache, training); // [B, T, C]
        return x + mlp.Forward(ln2.Forward(x), training);      // [B, T, C]
    }
}
