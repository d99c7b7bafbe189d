using LocalFineTune.Torch;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

public class ElementwiseOpsTests
{
    [Fact]
    public void Arithmetic_MatchesHandComputedValues_WhenOperandsBroadcast()
    {
        using var scope = DisposeScope.Enter();
        var a = F([1, 2, 3, 4], 2, 2);
        var b = F(10, 20);
        Close([11, 22, 13, 24], a + b);
        Close([-9, -18, -7, -16], a - b);
        Close([10, 40, 30, 80], a * b);
        Close([0.1, 0.1, 0.3, 0.2], a / b);
        Close([3, 4, 5, 6], a + 2);
        Close([1, 0, -1, -2], 2 - a);
        Close([1, 4, 9, 16], a.Pow(2));
        Close([-1, -2, -3, -4], -a);
        Close([-19, -38, -17, -36], a.Sub(b, alpha: 2));
        Close([10, 20, 10, 20], a.Maximum(b));
        Close([1, 2, 3, 4], a.Minimum(b));
    }

    [Fact]
    public void UnaryFunctions_MatchMathLibrary()
    {
        using var scope = DisposeScope.Enter();
        double[] x = [-1.5, -0.25, 0.5, 2];
        var t = D(x, 4);
        Close(x.Select(Math.Exp).ToArray(), t.Exp());
        Close(x.Select(Math.Abs).ToArray(), t.Abs());
        Close(x.Select(Math.Tanh).ToArray(), t.Tanh());
        Close(x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), t.Sigmoid());
        Close(x.Select(Math.Sin).ToArray(), t.Sin());
        Close(x.Select(Math.Cos).ToArray(), t.Cos());
        Close(x.Select(Math.Floor).ToArray(), t.Floor());
        var positive = t.Abs();
        Close(x.Select(v => Math.Log(Math.Abs(v))).ToArray(), positive.Log());
        Close(x.Select(v => Math.Sqrt(Math.Abs(v))).ToArray(), positive.Sqrt());
        Close(x.Select(v => 1 / Math.Sqrt(Math.Abs(v))).ToArray(), positive.Rsqrt());
        Close([-1, -0.25, 0.5, 1], t.Clamp(-1, 1));
    }

    [Fact]
    public void Comparisons_ProduceBoolMasks_ThatSelectAndFill()
    {
        using var scope = DisposeScope.Enter();
        var a = F(1, 5, 3);
        var b = F(2, 5, 1);
        Exact([0, 1, 0], a.Eq(b));
        Exact([1, 0, 1], a.Ne(b));
        Exact([1, 0, 0], a.Lt(b));
        Exact([1, 1, 0], a.Le(b));
        Exact([0, 0, 1], a.Gt(b));
        Exact([0, 1, 1], a.Ge(b));
        Exact([0, 1, 1], a.Gt(2));
        Assert.Equal(ScalarType.Bool, a.Gt(2).DType);
        Close([2, 5, 3], Tensor.Where(a.Ge(b), a, b));
        Close([1, -9, -9], a.MaskedFill(a.Gt(2), -9));
        Exact([1, 0, 0], a.Lt(2).LogicalAnd(b.Lt(3)));
        Exact([1, 0, 1], a.Lt(2).LogicalOr(b.Lt(2)));
        Exact([0, 1, 1], a.Lt(2).LogicalNot());
    }

    [Fact]
    public void InPlaceOps_ModifyTheSameTensor()
    {
        using var scope = DisposeScope.Enter();
        var a = F(1, 2, 3);
        a.AddInPlace(F(1, 1, 1), alpha: 2).MulInPlace(2).AddInPlace(1);
        Close([7, 9, 11], a);
        a.MulInPlace(F(0, 1, 2)).DivInPlace(2);
        Close([0, 4.5, 11], a);
        a.CopyFrom(F(4, 5, 6));
        Close([4, 5, 6], a);
        a.MaskedFillInPlace(a.Gt(4), 0);
        Close([4, 0, 0], a);
        a.FillInPlace(7);
        Close([7, 7, 7], a);
        a.ZeroInPlace();
        Close([0, 0, 0], a);
    }

    [Fact]
    public void Factories_FillShapesAsAsked()
    {
        using var scope = DisposeScope.Enter();
        Close([0, 0, 0, 0], Tensor.Zeros([2, 2]));
        Close([1, 1], Tensor.Ones([2]));
        Close([2.5, 2.5], Tensor.Full([2], 2.5));
        Exact([0, 1, 2, 3], Tensor.Arange(4));
        Close([1, 1.5, 2], Tensor.Arange(1, 2.1, 0.5, ScalarType.Float32));
        Close([1, 0, 0, 1, 1, 0, 1, 1, 1], Tensor.Ones([3, 3]).Tril());
        Close([0, 1, 1, 0, 0, 1, 0, 0, 0], Tensor.Ones([3, 3]).Triu(1));
        Assert.Equal([3L, 4L], Tensor.Randn([3, 4]).Shape);
        var uniform = Tensor.Rand([1000]);
        Assert.True(uniform.Min().ToDouble() >= 0 && uniform.Max().ToDouble() < 1);
        var ints = Tensor.RandInt(3, 7, [1000]);
        Assert.True(ints.Min().ToInt64() >= 3 && ints.Max().ToInt64() <= 6);
        Assert.Equal(ScalarType.Int64, ints.DType);
    }
}
