using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>
/// Rotate-half RoPE as transformers applies it: x·cos + rotate_half(x)·sin on the first rotary_dim dimensions,
/// with cos/sin of position·inv_freq repeated twice (cat(freqs, freqs)). The tables are computed in float64 for
/// the positions in use, cached per model (grown on demand), and cast to the activations' dtype.
/// </summary>
internal sealed class RotaryEmbedding(RopeSpec spec, int contextLength, Device device)
{
    private readonly object _lock = new();
    private Tensor? _cos, _sin; // [cached positions, rotary_dim], owned here
    private ScalarType _dtype;

    public int RotaryDim => spec.RotaryDim;

    /// <summary>x [B, H, T, D] at positions past..past+T-1 → rotated, same shape.</summary>
    public Tensor Apply(Tensor x, long past)
    {
        long seq = x.Size(2), headDim = x.Size(3);
        var (cos, sin) = Tables(past + seq, x.DType);
        cos = cos.Narrow(0, past, seq);                                   // [T, R]
        sin = sin.Narrow(0, past, seq);                                   // [T, R]
        var rot = spec.RotaryDim == headDim ? x : x.Narrow(3, 0, spec.RotaryDim);
        var rotated = rot * cos + RotateHalf(rot) * sin;                  // [B, H, T, R]
        return spec.RotaryDim == headDim ? rotated
            : Tensor.Cat([rotated, x.Narrow(3, spec.RotaryDim, headDim - spec.RotaryDim)], 3);
    }

    public void Dispose()
    {
        _cos?.Dispose();
        _sin?.Dispose();
    }

    private static Tensor RotateHalf(Tensor x)
    {
        var half = x.Size(3) / 2;
        return Tensor.Cat([x.Narrow(3, half, half).Neg(), x.Narrow(3, 0, half)], 3); // cat(-x2, x1)
    }

    private (Tensor Cos, Tensor Sin) Tables(long positions, ScalarType dtype)
    {
        lock (_lock)
        {
            if (_cos is null || _cos.Size(0) < positions || _dtype != dtype)
            {
                // Grow geometrically so generation does not rebuild the tables every token.
                var length = (int)Math.Min(Math.Max(positions, Math.Max(64, 2 * (_cos?.Size(0) ?? 0))), Math.Max(contextLength, positions));
                Build(length, dtype);
            }
            return (_cos!, _sin!);
        }
    }

    private void Build(int length, ScalarType dtype)
    {
        int r = spec.RotaryDim, half = r / 2;
        var cos = new float[length * r];
        var sin = new float[length * r];
        for (var p = 0; p < length; p++)
        for (var i = 0; i < half; i++)
        {
            // transformers computes position·inv_freq in float32; doing it in float64 differs far below 1e-4.
            var angle = p * (double)(float)spec.InverseFrequencies[i];
            cos[p * r + i] = cos[p * r + i + half] = (float)Math.Cos(angle);
            sin[p * r + i] = sin[p * r + i + half] = (float)Math.Sin(angle);
        }
        using var scope = DisposeScope.Enter();
        var newCos = DisposeScope.Detach(Tensor.FromArray(cos, length, r).To(dtype, device, copy: true));
        var newSin = DisposeScope.Detach(Tensor.FromArray(sin, length, r).To(dtype, device, copy: true));
        _cos?.Dispose();
        _sin?.Dispose();
        (_cos, _sin, _dtype) = (newCos, newSin, dtype);
    }
}
