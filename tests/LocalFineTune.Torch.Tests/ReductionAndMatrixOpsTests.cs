using LocalFineTune.Torch;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

[Collection(GlobalRngCollection.Name)] // seeds the process-wide generator
public class ReductionAndMatrixOpsTests
{
    [Fact]
    public void Reductions_MatchHandComputedValues_PerDimensionAndOverall()
    {
        using var scope = DisposeScope.Enter();
        var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        Close([21], a.Sum().Reshape(1));
        Close([5, 7, 9], a.Sum(0));
        Close([2, 5], a.Mean(1));
        Close([3, 6], a.Max([1]));
        Close([1, 4], a.Min([1]));
        Close([1, 1], a.Var([1]));
        Close([Math.Sqrt(91)], a.Norm().Reshape(1));
        Close([1, 3, 6, 4, 9, 15], a.CumSum(1));
        Close([Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), Math.Log(Math.Exp(4) + Math.Exp(5) + Math.Exp(6))], a.LogSumExp(1));
        Exact([5], a.ArgMax().Reshape(1));
        Exact([2, 2], a.ArgMax(1));
        Assert.True(a.Gt(0).All().ToInt64() == 1);
        Assert.True(a.Gt(5).Any().ToInt64() == 1);
    }

    [Fact]
    public void TopKSortAndMax_ReturnValuesWithIndices()
    {
        using var scope = DisposeScope.Enter();
        var a = F(3, 1, 4, 1, 5, 9, 2);
        var (top, topIndex) = a.TopK(3);
        Close([9, 5, 4], top);
        Exact([5, 4, 2], topIndex);
        var (sorted, order) = a.Sort(descending: false);
        Close([1, 1, 2, 3, 4, 5, 9], sorted);
        Exact([0, 2, 4, 5], order.Narrow(0, 3, 4)); // the two 1s may come in either order
        var (max, at) = F([1, 7, 3, 8, 2, 0], 2, 3).MaxAlong(1);
        Close([7, 8], max);
        Exact([1, 0], at);
    }

    [Fact]
    public void MatrixProducts_MatchHandComputedValues()
    {
        using var scope = DisposeScope.Enter();
        var a = F([1, 2, 3, 4], 2, 2);
        var b = F([5, 6, 7, 8], 2, 2);
        Close([19, 22, 43, 50], a.MatMul(b));
        Close([19, 22, 43, 50], a.Mm(b));
        Close([19, 22, 43, 50, 19, 22, 43, 50], a.Unsqueeze(0).Expand(2, 2, 2).Bmm(b.Unsqueeze(0).Expand(2, 2, 2)));
        Close([20, 24, 44, 52], F([1, 2, 1, 2], 2, 2).AddMm(a, b));
        Close([39, 46, 87, 102], F([1, 2, 1, 2], 2, 2).AddMm(a, b, beta: 1, alpha: 2));
        // Batched matmul broadcasts the left operand's leading dimensions.
        Assert.Equal([3L, 2L, 2L], Tensor.Ones([3, 2, 2]).MatMul(b).Shape);
    }

    [Fact]
    public void Multinomial_DrawsOnlyFromNonZeroProbabilities_AndIsSeeded()
    {
        using var scope = DisposeScope.Enter();
        var probs = F(0, 0.5f, 0, 0.5f);
        Runtime.ManualSeed(7);
        var first = probs.Multinomial(50, replacement: true).ToArray<long>();
        Runtime.ManualSeed(7);
        var second = probs.Multinomial(50, replacement: true).ToArray<long>();
        Assert.All(first, i => Assert.True(i is 1 or 3));
        Assert.Equal(first, second);
    }
}
