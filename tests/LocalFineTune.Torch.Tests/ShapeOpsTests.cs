using LocalFineTune.Torch;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

public class ShapeOpsTests
{
    [Fact]
    public void ViewsAndPermutations_RearrangeElementsAsExpected()
    {
        using var scope = DisposeScope.Enter();
        var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        Close([1, 4, 2, 5, 3, 6], a.Transpose(0, 1).Contiguous());
        Assert.False(a.Transpose(0, 1).IsContiguous);
        Close([1, 4, 2, 5, 3, 6], a.Permute(1, 0).Reshape(6));
        Assert.Equal([3L, 2L], a.View(3, 2).Shape);
        Assert.Equal([1L, 2L, 3L], a.Unsqueeze(0).Shape);
        Assert.Equal([2L, 3L], a.Unsqueeze(0).Squeeze(0).Shape);
        Assert.Equal([6L], a.Flatten().Shape);
        Assert.Equal([2L, 2L, 3L], a.Unsqueeze(0).Expand(2, 2, 3).Shape);
        Close([1, 2, 3, 1, 2, 3], F(1, 2, 3).Repeat(2));
    }

    [Fact]
    public void SlicingAndIndexing_PickTheRightElements()
    {
        using var scope = DisposeScope.Enter();
        var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        Close([2, 3, 5, 6], a.Narrow(1, 1, 2));
        Close([1, 3, 4, 6], a.Slice(1, 0, 3, 2));
        Close([4, 5, 6], a.Select(0, 1));
        Close([3, 1, 6, 4], a.IndexSelect(1, L(2, 0)));
        Close([2, 1, 6, 6], a.Gather(1, Tensor.FromArray(new long[] { 1, 0, 2, 2 }, 2, 2)));
        Close([0, 9, 0], Tensor.Zeros([3]).Scatter(0, L(1), F(9)));
    }

    [Fact]
    public void JoinAndSplit_AreInverse()
    {
        using var scope = DisposeScope.Enter();
        var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        var b = F([7, 8, 9], 1, 3);
        var joined = Tensor.Cat([a, b], 0);
        Assert.Equal([3L, 3L], joined.Shape);
        Close([1, 2, 3, 4, 5, 6, 7, 8, 9], joined);
        Assert.Equal([2L, 2L, 3L], Tensor.Stack([a, a], 0).Shape);
        var pieces = joined.Split(2, 0);
        Assert.Equal(2, pieces.Length);
        Assert.Equal([1L, 3L], pieces[1].Shape);
        var sized = joined.Split([1, 2], 1);
        Assert.Equal([3L, 2L], sized[1].Shape);
        Close([2, 3, 5, 6, 8, 9], sized[1]);
        var chunks = joined.Chunk(3, 1);
        Assert.Equal(3, chunks.Length);
        Close([3, 6, 9], chunks[2]);
    }
}
