using LocalFineTune.Torch;

namespace LocalFineTune.Torch.Tests;

internal static class TensorAssert
{
    public static Tensor F(params float[] values) => Tensor.FromArray(values);
    public static Tensor F(float[] values, params long[] shape) => Tensor.FromArray(values, shape);
    public static Tensor D(double[] values, params long[] shape) => Tensor.FromArray(values, shape);
    public static Tensor L(params long[] values) => Tensor.FromArray(values);

    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        using var asDouble = actual.To(ScalarType.Float64);
        var values = asDouble.ToArray<double>();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {values[i]}");
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var e = expected.To(ScalarType.Float64);
        Close(e.ToArray<double>(), actual, tolerance);
    }

    public static void Exact(long[] expected, Tensor actual)
    {
        using var asLong = actual.To(ScalarType.Int64);
        Assert.Equal(expected, asLong.ToArray<long>());
    }
}
