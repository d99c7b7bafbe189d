using System.Runtime.CompilerServices;
using LocalFineTune.Torch;
using static LocalFineTune.Torch.Functional;

namespace LocalFineTune.Torch.Tests;

/// <summary>
/// ActivationCheckpoint: the recomputed backward gives the plain run's gradients bit for bit (dropout included),
/// leaves the generator where the plain run leaves it, surfaces .NET exceptions from either pass, and leaks nothing.
/// </summary>
[Collection(GlobalRngCollection.Name)] // seeds the process-wide generator and counts live tensors: runs alone
public class ActivationCheckpointTests
{
    private const double DropoutP = 0.3;

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // input not requiring grad (a frozen embedding): the parameters alone make it recorded
    public void Gradients_EqualThePlainRunBitForBit_WithDropout(bool inputRequiresGrad)
    {
        using var net = new TinyNet(inputRequiresGrad);
        var plain = net.Gradients(checkpoint: false);
        var checkpointed = net.Gradients(checkpoint: true);

        Assert.Equal(plain.Length, checkpointed.Length);
        for (var i = 0; i < plain.Length; i++) Assert.Equal(plain[i], checkpointed[i]);
        Assert.Contains(plain[0], v => v != 0);
    }

    [Fact]
    public void Backward_RecomputesTheFunction_AndLeavesTheGeneratorWhereThePlainRunDoes()
    {
        using var net = new TinyNet(true);
        net.Gradients(checkpoint: false);
        using var afterPlain = Tensor.Rand([8]);
        net.Gradients(checkpoint: true);
        using var afterCheckpointed = Tensor.Rand([8]);

        Assert.Equal(2, net.Calls); // once in forward, once in backward
        Assert.True(afterPlain.Equal(afterCheckpointed), "the recompute must not move the random stream");
    }

    [Fact]
    public void NoGrad_JustRunsTheFunction()
    {
        using var net = new TinyNet(true);
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var y = ActivationCheckpoint.Run(net.Function, net.Input, net.Parameters);
        Assert.False(y.RequiresGrad);
        Assert.Equal(1, net.Calls);
    }

    [Theory]
    [InlineData(1)] // the forward call
    [InlineData(2)] // the recompute inside backward
    public void ExceptionInTheFunction_SurfacesAsTorchException_WithTheOriginalInside(int failingCall)
    {
        using var net = new TinyNet(true) { FailOnCall = failingCall };
        var error = Assert.Throws<TorchException>(() => net.Gradients(checkpoint: true));

        var inner = Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal($"call {failingCall} failed on purpose", inner.Message);
        Assert.Contains("InvalidOperationException", error.Message);
        net.FailOnCall = 0;
        Assert.Contains(net.Gradients(checkpoint: true)[0], v => v != 0); // the process and the binding live on
    }

    [Fact]
    public void Step_LeavesNoTensorBehind_AndDroppedGraphsReleaseTheFunction()
    {
        using var net = new TinyNet(true);
        net.Gradients(checkpoint: true);
        var live = Tensor.LiveCount;
        for (var step = 0; step < 5; step++) net.Gradients(checkpoint: true);
        Assert.Equal(live, Tensor.LiveCount);

        var function = ForwardWithoutBackward(net);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(function.IsAlive, "the graph node must free its handle on the function when the graph is dropped");
        Assert.Equal(live, Tensor.LiveCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ForwardWithoutBackward(TinyNet net)
    {
        Func<Tensor, Tensor> function = x => net.Function(x) * 1; // a fresh closure only the graph holds
        using (DisposeScope.Enter()) ActivationCheckpoint.Run(function, net.Input, net.Parameters);
        return new WeakReference(function);
    }

    /// <summary>x → x + dropout(gelu(x·W1ᵀ))·W2ᵀ, with a sum-of-squares loss; counts its calls.</summary>
    private sealed class TinyNet : IDisposable
    {
        public readonly Tensor Input, W1, W2;

        public TinyNet(bool inputRequiresGrad)
        {
            Runtime.ManualSeed(5);
            using var scope = DisposeScope.Enter();
            Input = DisposeScope.Detach(Tensor.Randn([3, 5, 8], requiresGrad: inputRequiresGrad));
            W1 = DisposeScope.Detach(Tensor.Randn([16, 8], requiresGrad: true));
            W2 = DisposeScope.Detach(Tensor.Randn([8, 16], requiresGrad: true));
        }

        public int Calls { get; private set; }
        public int FailOnCall { get; set; }
        public IReadOnlyList<Tensor> Parameters => [W1, W2];

        public Tensor Function(Tensor x)
        {
            Calls++;
            if (Calls == FailOnCall) throw new InvalidOperationException($"call {Calls} failed on purpose");
            return x + Linear(Dropout(Gelu(Linear(x, W1)), DropoutP, true), W2);
        }

        /// <summary>One seeded forward + backward; the gradients of the input (when it has one), W1 and W2.</summary>
        public float[][] Gradients(bool checkpoint)
        {
            Calls = 0;
            foreach (var t in new[] { Input, W1, W2 }) t.ClearGrad();
            Runtime.ManualSeed(11);
            using (DisposeScope.Enter())
            {
                var y = checkpoint ? ActivationCheckpoint.Run(Function, Input, Parameters) : Function(Input);
                (y * y).Sum().Backward();
            }
            return new[] { Input, W1, W2 }.Where(t => t.RequiresGrad).Select(t => { using var g = t.Grad!; return g.ToArray<float>(); }).ToArray();
        }

        public void Dispose()
        {
            Input.Dispose();
            W1.Dispose();
            W2.Dispose();
        }
    }
}
