using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>
/// The feed-forward part of a block. Plain: down(act(up(x))) (GPT-2's c_fc/c_proj, Phi's fc1/fc2).
/// Gated: down(act(gate(x)) · up(x)), with gate and up separate (Llama) or fused as [gate | up] (Phi-3's gate_up_proj).
/// </summary>
internal sealed class Mlp(MlpSpec spec, ILinear? gate, ILinear up, ILinear down, double residualDropout)
{
    public Tensor Forward(Tensor x, bool training)
    {
        Tensor hidden;
        if (spec.Kind == MlpKind.Plain) hidden = Activations.Apply(up.Forward(x), spec.Activation);   // [B, T, I]
        else if (spec.FusedGateUp)
        {
            var parts = up.Forward(x).Chunk(2, -1);                                                   // 2 × [B, T, I]
            hidden = Activations.Apply(parts[0], spec.Activation) * parts[1];
        }
        else hidden = Activations.Apply(gate!.Forward(x), spec.Activation) * up.Forward(x);          // [B, T, I]
        return Functional.Dropout(down.Forward(hidden), residualDropout, training);                  // [B, T, C]
    }
}

/// <summary>
/// One transformer block. Sequential (pre-norm): x + attn(norm1(x)), then + mlp(norm2(x)).
/// Parallel (Phi): attention and MLP read the same norm1(x), and both join the residual together.
/// </summary>
internal sealed class DecoderBlock(ResidualKind residual, Norm inputNorm, Attention attention, Norm? postAttentionNorm, Mlp mlp)
{
    public Tensor Forward(Tensor x, KeyValueCache? cache, bool training)
    {
        if (residual == ResidualKind.Parallel)
        {
            var normed = inputNorm.Forward(x);                                    // [B, T, C]
            return attention.Forward(normed, cache, training) + mlp.Forward(normed, training) + x;
        }
        x = x + attention.Forward(inputNorm.Forward(x), cache, training);          // [B, T, C]
        return x + mlp.Forward(postAttentionNorm!.Forward(x), training);          // [B, T, C]
    }
}
