using LocalFineTune.Torch;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

[Collection(GlobalRngCollection.Name)] // seeds the process-wide generator
public class ScopeAndAutogradTests
{
    [Fact]
    public void Scope_DisposesEverythingCreatedInside_ExceptWhatWasMovedOut()
    {
        Tensor kept, detached, dropped;
        using (var outer = DisposeScope.Enter())
        {
            using (var inner = DisposeScope.Enter())
            {
                dropped = Tensor.Ones([2]);
                kept = inner.MoveToOuter(dropped * 2);
                detached = DisposeScope.Detach(dropped + 1);
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);
        Assert.False(detached.IsDisposed);
        detached.Dispose();
    }

    [Fact]
    public void DisposeAllBut_KeepsOnlyTheNamedTensors()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Ones([1]);
        var b = a + 1;
        var c = b + 1;
        scope.DisposeAllBut(c);
        Assert.True(a.IsDisposed && b.IsDisposed);
        Assert.Equal(3, c.ToDouble());
        Assert.Equal(1, scope.Count);
    }

    [Fact]
    public void LiveCount_TracksCreationAndDisposal()
    {
        var before = Tensor.LiveCount;
        using (var scope = DisposeScope.Enter())
        {
            _ = Tensor.Ones([3]) * 2;
            Assert.True(Tensor.LiveCount >= before + 2);
        }
        // Other tests run in parallel threads, so compare only this thread's effect through a fresh scope.
        var t = Tensor.Ones([1]);
        Assert.True(Tensor.LiveCount >= 1);
        t.Dispose();
    }

    [Fact]
    public void Backward_AccumulatesGradients_UntilCleared()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.FromArray(new[] { 1f, 2f }).Detach();
        w.RequiresGrad = true;
        Assert.True(w.IsLeaf);
        Assert.Null(w.Grad);
        (w * w).Sum().Backward();
        Close([2, 4], w.Grad!);
        (w * 3).Sum().Backward();
        Close([5, 7], w.Grad!);
        w.ClearGrad();
        Assert.Null(w.Grad);
        (w * w).Sum().Backward(retainGraph: false);
        Close([2, 4], w.Grad!);
    }

    [Fact]
    public void NoGradScope_StopsRecording_AndRestoresThePreviousMode()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.Ones([2], requiresGrad: true);
        Assert.True(NoGradScope.IsGradEnabled);
        using (NoGradScope.Enter())
        {
            Assert.False((w * 2).RequiresGrad);
            using (NoGradScope.Enter()) Assert.False(NoGradScope.IsGradEnabled);
            Assert.False(NoGradScope.IsGradEnabled);
        }
        Assert.True(NoGradScope.IsGradEnabled);
        Assert.True((w * 2).RequiresGrad);
    }

    [Fact]
    public void NoGradScope_IsPerThread()
    {
        using var noGrad = NoGradScope.Enter();
        var otherThreadEnabled = false;
        var thread = new Thread(() => otherThreadEnabled = NoGradScope.IsGradEnabled);
        thread.Start();
        thread.Join();
        Assert.True(otherThreadEnabled);
        Assert.False(NoGradScope.IsGradEnabled);
    }

    [Fact]
    public void RngState_RestoresTheExactRandomSequence()
    {
        using var scope = DisposeScope.Enter();
        Runtime.ManualSeed(123);
        _ = Tensor.Randn([5]);
        var state = Runtime.GetRngState(Device.Cpu);
        var expected = Tensor.Randn([10]).ToArray<float>();
        _ = Tensor.Rand([100]);
        Runtime.SetRngState(Device.Cpu, state);
        Assert.Equal(expected, Tensor.Randn([10]).ToArray<float>());
    }
}
