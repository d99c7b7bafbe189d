using LocalFineTune.Torch;

namespace LocalFineTune.Torch.Tests;

/// <summary>Compares autograd gradients with central finite differences, in float64.</summary>
internal static class GradCheck
{
    private const double Step = 1e-6;

    public static void Run(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        using var scope = DisposeScope.Enter();
        foreach (var input in inputs) input.RequiresGrad = true;
        var output = f(inputs);
        // A fixed random projection makes every output element matter to the scalar being differentiated.
        var projection = Tensor.Randn(output.Shape, ScalarType.Float64);
        output.Mul(projection).Sum().Backward();
        for (var i = 0; i < inputs.Length; i++)
            CompareInput(f, inputs, i, projection);
    }

    private static void CompareInput(Func<Tensor[], Tensor> f, Tensor[] inputs, int index, Tensor projection)
    {
        using var grad = inputs[index].Grad ?? throw new Xunit.Sdk.XunitException($"input {index} received no gradient");
        var analytic = grad.ToArray<double>();
        var values = inputs[index].Detach().ToArray<double>();
        for (var j = 0; j < values.Length; j++)
        {
            var original = values[j];
            values[j] = original + Step;
            var plus = Evaluate(f, inputs, index, values, projection);
            values[j] = original - Step;
            var minus = Evaluate(f, inputs, index, values, projection);
            values[j] = original;
            var numeric = (plus - minus) / (2 * Step);
            Assert.True(Math.Abs(numeric - analytic[j]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)),
                $"input {index}, element {j}: autograd {analytic[j]}, finite difference {numeric}");
        }
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, int index, double[] values, Tensor projection)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var replaced = inputs.Select((t, i) => i == index ? Tensor.FromArray(values, t.Shape) : t).ToArray();
        return f(replaced).Mul(projection).Sum().ToDouble();
    }
}
