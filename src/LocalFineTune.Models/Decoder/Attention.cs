using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>The q/k/v projections of one attention layer: three linears, or one fused (split as q | k | v).</summary>
internal sealed class QkvProjection
{
    private readonly ILinear? _fused, _q, _k, _v;
    private readonly long[] _sizes;

    public QkvProjection(ILinear fused, long[] sizes) => (_fused, _sizes) = (fused, sizes);

    public QkvProjection(ILinear q, ILinear k, ILinear v) => (_q, _k, _v, _sizes) = (q, k, v, []);

    public (Tensor Q, Tensor K, Tensor V) Forward(Tensor x)
    {
        if (_fused is null) return (_q!.Forward(x), _k!.Forward(x), _v!.Forward(x));
        var parts = _fused.Forward(x).Split(_sizes, 2);   // [B, T, q | k | v]
        return (parts[0], parts[1], parts[2]);
    }
}

/// <summary>
/// Causal self-attention with every switch our families use: grouped-query heads, RoPE (full or partial),
/// per-head q/k norm before RoPE, a sliding window, biases, and the KV cache (which stores keys and values
/// before the GQA repeat, at positions offset by what it already holds).
/// </summary>
internal sealed class Attention(
    int layerIndex, AttentionSpec spec, QkvProjection qkv, ILinear output,
    Norm? queryNorm, Norm? keyNorm, RotaryEmbedding? rope, int? window, double residualDropout)
{
    private readonly double _scale = (spec.Scale ?? 1.0 / Math.Sqrt(spec.HeadDim))
                                     / (spec.ScaleByInverseLayerIndex ? layerIndex + 1 : 1);

    public Tensor Forward(Tensor x, KeyValueCache? cache, bool training)
    {
        long batch = x.Size(0), seq = x.Size(1);
        long heads = spec.Heads, kvHeads = spec.KeyValueHeads, headDim = spec.HeadDim;
        var (q, k, v) = qkv.Forward(x);
        q = q.View(batch, seq, heads, headDim);                    // [B, T, H, D]
        k = k.View(batch, seq, kvHeads, headDim);                  // [B, T, Hkv, D]
        if (queryNorm is not null) q = queryNorm.Forward(q);
        if (keyNorm is not null) k = keyNorm.Forward(k);
        q = q.Transpose(1, 2);                                     // [B, H, T, D]
        k = k.Transpose(1, 2);                                     // [B, Hkv, T, D]
        v = v.View(batch, seq, kvHeads, headDim).Transpose(1, 2);  // [B, Hkv, T, D]
        long past = cache?.LengthOf(layerIndex) ?? 0;
        if (rope is not null)
        {
            q = rope.Apply(q, past);
            k = rope.Apply(k, past);
        }
        if (cache is not null) (k, v) = cache.Append(layerIndex, k, v); // [B, Hkv, past+T, D]
        k = RepeatKeyValueHeads(k, heads);                          // [B, H, past+T, D]
        v = RepeatKeyValueHeads(v, heads);
        var y = Attend(q, k, v, seq, past, training ? spec.Dropout : 0.0); // [B, H, T, D]
        y = y.Transpose(1, 2).Reshape(batch, seq, heads * headDim);  // [B, T, H·D]
        return Functional.Dropout(output.Forward(y), residualDropout, training);
    }

    /// <summary>[B, Hkv, S, D] → [B, H, S, D]: each key/value head serves H/Hkv query heads (HF's repeat_kv).</summary>
    private static Tensor RepeatKeyValueHeads(Tensor x, long heads)
    {
        long batch = x.Size(0), kvHeads = x.Size(1), keys = x.Size(2), dim = x.Size(3);
        if (kvHeads == heads) return x;
        var groups = heads / kvHeads;
        return x.Unsqueeze(2).Expand(batch, kvHeads, groups, keys, dim).Reshape(batch, heads, keys, dim);
    }

    private Tensor Attend(Tensor q, Tensor k, Tensor v, long seq, long past, double dropout)
    {
        long keys = past + seq;
        // The plain causal triangle is right when nothing is cached and the window (if any) covers the sequence;
        // one new token that may see every cached key needs no mask at all.
        var windowCoversAll = window is null || keys <= window;
        if (past == 0 && windowCoversAll) return Functional.ScaledDotProductAttention(q, k, v, null, dropout, causal: true, scale: _scale);
        if (seq == 1 && windowCoversAll) return Functional.ScaledDotProductAttention(q, k, v, null, dropout, causal: false, scale: _scale);
        // Query i (absolute position past+i) may see key j when j ≤ past+i, and with a window W when past+i − j < W.
        var mayAttend = Tensor.Ones([seq, keys], ScalarType.Bool, q.Device).Tril(past);   // [T, past+T]
        if (window is { } w) mayAttend = mayAttend.Triu(past - w + 1);
        return Functional.ScaledDotProductAttention(q, k, v, mayAttend, dropout, causal: false, scale: _scale);
    }
}
