using LocalFineTune.Torch;
using F = LocalFineTune.Torch.Functional;

namespace TorchBench;

/// <summary>
/// One GPT-2-small transformer block (pre-LayerNorm), written with HF GPT-2's Conv1D layout: weights are
/// [in, out] and a projection is addmm(bias, x, W). bench/cpp/block_bench.cpp makes the same ATen calls in
/// the same order, so the two timings differ only by the binding.
/// </summary>
internal sealed class Block : IDisposable
{
    private readonly long D, Heads, HeadDim, Hidden;
    private readonly Tensor _ln1W, _ln1B, _attnW, _attnB, _projW, _projB, _ln2W, _ln2B, _fcW, _fcB, _mlpW, _mlpB;
    private readonly long[] NormShape;

    public Block(long d, long heads)
    {
        D = d; Heads = heads; HeadDim = d / heads; Hidden = 4 * d; NormShape = [d];
        using var scope = DisposeScope.Enter(); // frees the temporaries of initialisation
        // Parameters live outside any scope; 0.02 is GPT-2's init std. The values do not matter for timing.
        _ln1W = Param(Tensor.Ones([D])); _ln1B = Param(Tensor.Zeros([D]));
        _attnW = Param(Tensor.Randn([D, 3 * D]).Mul(0.02)); _attnB = Param(Tensor.Zeros([3 * D]));
        _projW = Param(Tensor.Randn([D, D]).Mul(0.02)); _projB = Param(Tensor.Zeros([D]));
        _ln2W = Param(Tensor.Ones([D])); _ln2B = Param(Tensor.Zeros([D]));
        _fcW = Param(Tensor.Randn([D, Hidden]).Mul(0.02)); _fcB = Param(Tensor.Zeros([Hidden]));
        _mlpW = Param(Tensor.Randn([Hidden, D]).Mul(0.02)); _mlpB = Param(Tensor.Zeros([D]));
    }

    /// <summary>Matrices decay; biases and norm weights do not (the usual GPT-2 recipe).</summary>
    public IReadOnlyList<Tensor> Decayed => [_attnW, _projW, _fcW, _mlpW];
    public IReadOnlyList<Tensor> NotDecayed => [_ln1W, _ln1B, _attnB, _projB, _ln2W, _ln2B, _fcB, _mlpB];

    /// <summary>
    /// When set, Forward frees its intermediates as it returns (an inner scope that moves only the output out),
    /// as C++ locals die at the end of forward(). Autograd keeps what backward needs either way.
    /// </summary>
    public bool InnerScope { get; init; }

    /// <summary>x: [B, T, D] → [B, T, D].</summary>
    public Tensor Forward(Tensor x)
    {
        if (!InnerScope) return ForwardOps(x);
        using var scope = DisposeScope.Enter();
        return scope.MoveToOuter(ForwardOps(x));
    }

    private Tensor ForwardOps(Tensor x)
    {
        long b = x.Size(0), t = x.Size(1);
        var h = F.LayerNorm(x, NormShape, _ln1W, _ln1B);
        var qkv = _attnB.AddMm(h.View(b * t, D), _attnW).View(b, t, 3 * D);     // [B, T, 3D]
        var parts = qkv.Split(D, 2);
        var q = Heads_(parts[0], b, t); var k = Heads_(parts[1], b, t); var v = Heads_(parts[2], b, t);
        var y = F.ScaledDotProductAttention(q, k, v, causal: true);              // [B, H, T, hd]
        y = y.Transpose(1, 2).Contiguous().View(b * t, D);
        var x1 = x.Add(_projB.AddMm(y, _projW).View(b, t, D));
        var h2 = F.LayerNorm(x1, NormShape, _ln2W, _ln2B).View(b * t, D);
        var g = F.Gelu(_fcB.AddMm(h2, _fcW), tanhApproximation: true);           // [B·T, 4D]
        return x1.Add(_mlpB.AddMm(g, _mlpW).View(b, t, D));
    }

    private Tensor Heads_(Tensor part, long b, long t) => part.View(b, t, Heads, HeadDim).Transpose(1, 2);

    private static Tensor Param(Tensor t)
    {
        var p = DisposeScope.Detach(t.Detach());
        p.RequiresGrad = true;
        return p;
    }

    public void Dispose()
    {
        foreach (var p in Decayed.Concat(NotDecayed)) p.Dispose();
    }
}
