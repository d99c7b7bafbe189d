using LocalFineTune.Torch;
using static LocalFineTune.Torch.Functional;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

[Collection(GlobalRngCollection.Name)] // seeds the process-wide generator
public class NnOpsTests
{
    [Fact]
    public void EmbeddingAndLinear_MatchHandComputedValues()
    {
        using var scope = DisposeScope.Enter();
        var table = F([0, 1, 10, 11, 20, 21], 3, 2);
        Close([20, 21, 0, 1, 20, 21], Embedding(table, L(2, 0, 2)));
        var w = F([1, 2, 3, 4, 5, 6], 3, 2); // [out=3, in=2]
        var x = F([1, 1, 2, 0], 2, 2);
        Close([3, 7, 11, 2, 6, 10], Linear(x, w));
        Close([4, 9, 14, 3, 8, 13], Linear(x, w, F(1, 2, 3)));
    }

    [Fact]
    public void Norms_NormaliseTheLastDimension()
    {
        using var scope = DisposeScope.Enter();
        var x = F([1, 2, 3, 4, 2, 2, 2, 2], 2, 4);
        // mean 2.5, population variance 1.25 for row 0; row 1 is constant.
        var inv = 1 / Math.Sqrt(1.25 + 1e-5);
        Close([-1.5 * inv, -0.5 * inv, 0.5 * inv, 1.5 * inv, 0, 0, 0, 0], LayerNorm(x, [4], null, null, 1e-5), 1e-4);
        var withAffine = LayerNorm(x, [4], F(2, 2, 2, 2), F(1, 1, 1, 1), 1e-5);
        Close([1 - 3 * inv, 1 - inv, 1 + inv, 1 + 3 * inv, 1, 1, 1, 1], withAffine, 1e-4);
        var rms = Math.Sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
        Close([1 / rms, 2 / rms, 3 / rms, 4 / rms, 1, 1, 1, 1], RmsNorm(x, null, 1e-6), 1e-4);
        Close([2 / rms, 4 / rms, 6 / rms, 8 / rms, 2, 2, 2, 2], RmsNorm(x, F(2, 2, 2, 2), 1e-6), 1e-4);
    }

    [Fact]
    public void Activations_MatchTheirDefinitions()
    {
        using var scope = DisposeScope.Enter();
        double[] v = [-2, -0.5, 0, 0.7, 3];
        var x = D(v, 5);
        Close(v.Select(a => 0.5 * a * (1 + Erf(a / Math.Sqrt(2)))).ToArray(), Gelu(x), 1e-6);
        Close(v.Select(a => 0.5 * a * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)))).ToArray(),
            Gelu(x, tanhApproximation: true), 1e-9);
        Close(v.Select(a => a / (1 + Math.Exp(-a))).ToArray(), Silu(x), 1e-9);
        Close(v.Select(a => Math.Max(a, 0)).ToArray(), Relu(x));
        var sum = v.Sum(Math.Exp);
        Close(v.Select(a => Math.Exp(a) / sum).ToArray(), Softmax(x, 0), 1e-9);
        Close(v.Select(a => a - Math.Log(sum)).ToArray(), LogSoftmax(x, 0), 1e-9);
    }

    [Fact]
    public void CrossEntropy_IgnoresIgnoreIndex_AndReducesAsAsked()
    {
        using var scope = DisposeScope.Enter();
        double[][] rows = [[1, 2, 3], [0.5, 0.5, 4], [2, 0, 0]];
        var logits = D(rows.SelectMany(r => r).ToArray(), 3, 3);
        var target = L(2, -100, 0);
        double Nll(double[] r, int c) => Math.Log(r.Sum(Math.Exp)) - r[c];
        double l0 = Nll(rows[0], 2), l2 = Nll(rows[2], 0);
        Close([(l0 + l2) / 2], CrossEntropy(logits, target).Reshape(1), 1e-9);
        Close([l0 + l2], CrossEntropy(logits, target, reduction: Reduction.Sum).Reshape(1), 1e-9);
        Close([l0, 0, l2], CrossEntropy(logits, target, reduction: Reduction.None), 1e-9);
        Close([Nll(rows[0], 2)], CrossEntropy(logits.Narrow(0, 0, 1), L(2), ignoreIndex: 0).Reshape(1), 1e-9);
    }

    [Fact]
    public void Dropout_ZeroesAndRescales_OnlyInTraining()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([10000]);
        Close(Enumerable.Repeat(1.0, 10000).ToArray(), Dropout(x, 0.5, training: false));
        var dropped = Dropout(x, 0.25, training: true);
        var kept = dropped.Gt(0).To(ScalarType.Float32).Mean().ToDouble();
        Assert.InRange(kept, 0.72, 0.78);
        Close([1 / 0.75], dropped.Max().Reshape(1), 1e-6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScaledDotProductAttention_MatchesComposedAttention_WithCausalMask(bool causal)
    {
        using var scope = DisposeScope.Enter();
        Runtime.ManualSeed(1);
        var q = Tensor.Randn([2, 3, 5, 4], ScalarType.Float64);
        var k = Tensor.Randn([2, 3, 5, 4], ScalarType.Float64);
        var v = Tensor.Randn([2, 3, 5, 4], ScalarType.Float64);
        var expected = ComposedAttention(q, k, v, causal ? Tensor.Ones([5, 5], ScalarType.Bool).Tril() : null);
        Close(expected, ScaledDotProductAttention(q, k, v, causal: causal), 1e-9);
    }

    [Fact]
    public void ScaledDotProductAttention_HonoursExplicitBoolAndFloatMasks()
    {
        using var scope = DisposeScope.Enter();
        Runtime.ManualSeed(2);
        var q = Tensor.Randn([1, 2, 4, 8], ScalarType.Float64);
        var k = Tensor.Randn([1, 2, 6, 8], ScalarType.Float64);
        var v = Tensor.Randn([1, 2, 6, 8], ScalarType.Float64);
        // Key 5 is padding; every query may look at keys 0..4.
        var keep = Tensor.FromArray(new[] { true, true, true, true, true, false }).View(1, 1, 1, 6);
        var expected = ComposedAttention(q, k, v, keep);
        Close(expected, ScaledDotProductAttention(q, k, v, keep), 1e-9);
        var additive = Tensor.Zeros([1, 1, 1, 6], ScalarType.Float64).MaskedFill(keep.LogicalNot(), double.NegativeInfinity);
        Close(expected, ScaledDotProductAttention(q, k, v, additive), 1e-9);
        var scaled = ScaledDotProductAttention(q, k, v, keep, scale: 0.5);
        Close(ComposedAttention(q, k, v, keep, 0.5), scaled, 1e-9);
    }

    private static Tensor ComposedAttention(Tensor q, Tensor k, Tensor v, Tensor? keep, double? scale = null)
    {
        var scores = q.MatMul(k.Transpose(-2, -1)).Mul(scale ?? 1 / Math.Sqrt(q.Size(-1)));
        if (keep is not null) scores = scores.MaskedFill(keep.LogicalNot(), double.NegativeInfinity);
        return Softmax(scores, -1).MatMul(v);
    }

    // Abramowitz–Stegun 7.1.26 is too coarse for a 1e-6 check; integrate the series instead.
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (var n = 0; n < 60; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
