using LocalFineTune.Torch;
using static LocalFineTune.Torch.Functional;

namespace LocalFineTune.Torch.Tests;

/// <summary>Every differentiable op's backward against finite differences in float64.</summary>
[Collection(GlobalRngCollection.Name)] // seeds the process-wide generator
public class GradientTests
{
    private static Tensor R(params long[] shape) => Tensor.Randn(shape, ScalarType.Float64);
    private static Tensor Positive(params long[] shape) => Tensor.Rand(shape, ScalarType.Float64).Add(0.5);

    public GradientTests() => Runtime.ManualSeed(42);

    [Fact] public void Arithmetic_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => x[0].Add(x[1], 2).Mul(x[0]).Sub(x[1]).Div(x[2]).Add(x[0].Mul(3)).Sub(x[1].Mul(0.5)).Add(1), R(2, 3), R(3), Positive(2, 3));

    [Fact] public void Pow_GradientsMatchFiniteDifferences() => GradCheck.Run(x => x[0].Pow(x[1]).Add(x[0].Pow(3)), Positive(4), R(4));

    [Fact] public void UnaryFunctions_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => Tensor.Cat([x[0].Exp(), x[1].Log(), x[1].Sqrt(), x[1].Rsqrt(), x[0].Tanh(), x[0].Sigmoid(),
            x[1].Abs(), x[0].Sin(), x[0].Cos(), x[0].Neg(), x[0].Clamp(-0.5, 0.5), x[0].Maximum(x[1]), x[0].Minimum(x[1])]),
            R(5), Positive(5));

    [Fact] public void MatrixProducts_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => x[0].MatMul(x[1]).Add(x[2].AddMm(x[0], x[1])).Sum([0], keepDim: true).Add(x[0].Unsqueeze(0).Bmm(x[1].Unsqueeze(0)).Squeeze(0)),
            R(3, 4), R(4, 2), R(3, 2));

    [Fact] public void Reductions_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => Tensor.Cat([x[0].Sum().Reshape(1), x[0].Mean([1]), x[0].Var([1]), x[0].Norm().Reshape(1),
            x[0].CumSum(1).Flatten(), x[0].LogSumExp(0), x[0].Max([1])]), R(3, 4));

    [Fact] public void ShapeOps_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x =>
        {
            var a = x[0];
            var parts = a.Split(1, 0);
            var chunks = a.Chunk(2, 1);
            return Tensor.Cat([
                a.View(6, 2).Flatten(), a.Transpose(0, 1).Reshape(12), a.Permute(1, 0, 2).Flatten(), parts[1].Flatten(), chunks[0].Flatten(),
                a.Narrow(1, 1, 2).Flatten(), a.Slice(2, 0, 2, 1).Flatten(), a.Select(0, 0).Flatten(),
                a.IndexSelect(1, Tensor.FromArray(new long[] { 2, 0 })).Flatten(),
                a.Gather(2, Tensor.FromArray(new long[] { 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0 }, 2, 3, 2)).Flatten(),
                a.Unsqueeze(0).Expand(2, 2, 3, 2).Flatten(), a.Repeat(1, 2, 1).Flatten(),
                Tensor.Stack([a, a.Mul(2)], 0).Flatten(),
                a.MaskedFill(a.Gt(0), 0).Flatten(), Tensor.Where(a.Gt(0), a, a.Mul(a)).Flatten(),
                a.Tril().Flatten(), a.Triu().Flatten(),
            ]);
        }, R(2, 3, 2));

    [Fact] public void EmbeddingAndLinear_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => Linear(Embedding(x[0], Tensor.FromArray(new long[] { 1, 3, 1, 0 }, 2, 2)), x[1], x[2]), R(4, 3), R(5, 3), R(5));

    [Fact] public void Norms_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => LayerNorm(x[0], [4], x[1], x[2], 1e-5).Add(RmsNorm(x[0], x[1], 1e-6)), R(3, 4), R(4), R(4));

    [Fact] public void Activations_GradientsMatchFiniteDifferences() =>
        GradCheck.Run(x => Tensor.Cat([Gelu(x[0]), Gelu(x[0], tanhApproximation: true), Silu(x[0]), Relu(x[0]),
            Softmax(x[0], 0), LogSoftmax(x[0], 0)]), R(6));

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void CrossEntropy_GradientsMatchFiniteDifferences_WithIgnoredTargets(Reduction reduction) =>
        GradCheck.Run(x => CrossEntropy(x[0], Tensor.FromArray(new long[] { 2, -100, 0, 4 }), reduction: reduction).Reshape(1), R(4, 5));

    [Fact] public void Attention_GradientsMatchFiniteDifferences_WithCausalAndExplicitMasks() =>
        GradCheck.Run(x => Tensor.Cat([
            ScaledDotProductAttention(x[0], x[1], x[2], causal: true).Flatten(),
            ScaledDotProductAttention(x[0], x[1], x[2], Tensor.FromArray(new[] { true, true, false }).View(1, 1, 1, 3)).Flatten(),
        ]), R(1, 2, 3, 4), R(1, 2, 3, 4), R(1, 2, 3, 4));
}
