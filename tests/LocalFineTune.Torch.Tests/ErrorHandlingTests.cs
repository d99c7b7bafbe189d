using LocalFineTune.Torch;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

public class ErrorHandlingTests
{
    [Fact]
    public void MatMul_ThrowsTorchExceptionWithLibtorchMessage_WhenShapesMismatch_AndNextCallWorks()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Ones([2, 3]);
        var b = Tensor.Ones([4, 5]);
        var error = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("cannot be multiplied", error.Message);
        Close([3, 3, 3, 3], a.MatMul(Tensor.Ones([3, 2])));
    }

    [Fact]
    public void Operations_ThrowTorchException_ForEveryKindOfNativeFailure()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Ones([2, 3]);
        Assert.Contains("invalid for input of size", Assert.Throws<TorchException>(() => a.View(4, 2)).Message);
        Assert.Throws<TorchException>(() => a + Tensor.Ones([4]));
        Assert.Throws<TorchException>(() => Functional.Embedding(Tensor.Ones([3, 2]), Tensor.FromArray(new long[] { 7 })));
        Assert.Throws<TorchException>(() => Functional.CrossEntropy(Tensor.Ones([2, 3]), Tensor.FromArray(new long[] { 5, 0 })));
        Assert.Throws<TorchException>(() => Tensor.Cat([a, Tensor.Ones([2, 2, 2])]));
        Assert.Throws<TorchException>(() => a.Transpose(0, 5));
        Assert.Throws<TorchException>(() => a.ToInt64()); // item() of a 6-element tensor
        Assert.Equal(6, a.Sum().ToDouble());
    }

    [Fact]
    public void Backward_ThrowsTorchException_WhenNothingRequiresGrad()
    {
        using var scope = DisposeScope.Enter();
        var error = Assert.Throws<TorchException>(() => Tensor.Ones([2]).Sum().Backward());
        Assert.Contains("does not require grad", error.Message);
    }

    [Fact]
    public void DisposedTensor_ThrowsObjectDisposedException_OnUse()
    {
        var t = Tensor.Ones([2]);
        t.Dispose();
        t.Dispose(); // idempotent
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.Sum());
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
    }

    [Fact]
    public void ErrorsOnOneThread_DoNotLeakIntoAnother()
    {
        var messages = new string[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            using var scope = DisposeScope.Enter();
            for (var n = 0; n < 200; n++)
            {
                var error = Assert.Throws<TorchException>(() => Tensor.Ones([i + 2]).View(7));
                messages[i] = error.Message;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Contains("size 2", messages[0]);
        Assert.Contains("size 3", messages[1]);
    }
}
