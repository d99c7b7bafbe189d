using LocalFineTune.Torch;
using static LocalFineTune.Torch.Tests.TensorAssert;

namespace LocalFineTune.Torch.Tests;

public class AdamWTests
{
    [Fact]
    public void Step_MatchesTheAdamWFormula_PerGroupLearningRateAndDecay()
    {
        using var scope = DisposeScope.Enter();
        double[] start = [0.5, -1.0, 2.0];
        var decayed = DisposeScope.Detach(Tensor.FromArray(start).Detach())!;
        var plain = DisposeScope.Detach(Tensor.FromArray(start).Detach())!;
        decayed.RequiresGrad = plain.RequiresGrad = true;
        using var optimizer = new AdamW([new ParamGroup([decayed], 0.1, 0.01), new ParamGroup([plain], 0.05, 0)], 0.9, 0.999, 1e-8);
        var refDecayed = new ReferenceAdamW(start, 0.1, 0.01);
        var refPlain = new ReferenceAdamW(start, 0.05, 0);
        for (var step = 0; step < 4; step++)
        {
            using var stepScope = DisposeScope.Enter();
            // loss = Σ w³ → grad = 3w², different at every step.
            (decayed.Pow(3).Sum() + plain.Pow(3).Sum()).Backward();
            refDecayed.Step(decayed.Grad!.ToArray<double>());
            refPlain.Step(plain.Grad!.ToArray<double>());
            optimizer.Step();
            optimizer.ZeroGrad();
            Assert.Null(decayed.Grad);
        }
        Close(refDecayed.Weights, decayed, 1e-12);
        Close(refPlain.Weights, plain, 1e-12);
        Assert.Equal(4, optimizer.StepCount);
        decayed.Dispose();
        plain.Dispose();
    }

    /// <summary>The CPU step runs in slices of 16M elements (so it never holds a temporary the size of all weights):
    /// three tensors of 9M, 9M and 4 elements step in two slices, and must equal each stepped on its own, bit for bit.</summary>
    [Fact]
    public void LargeGroup_SteppedInSlices_EqualsEachTensorSteppedAlone()
    {
        using var scope = DisposeScope.Enter();
        long[] sizes = [9 << 20, 9 << 20, 4];
        var together = sizes.Select((n, i) => Parameter(n, i)).ToList();
        var alone = sizes.Select((n, i) => Parameter(n, i)).ToList();
        using var sliced = new AdamW([new ParamGroup(together, 0.01, 0.1)]);
        var single = alone.Select(p => new AdamW([new ParamGroup([p], 0.01, 0.1)])).ToList();
        for (var step = 0; step < 2; step++)
        {
            foreach (var (a, b) in together.Zip(alone))
            {
                using var gradScope = DisposeScope.Enter();
                a.Grad = a.Detach().Cos();
                b.Grad = b.Detach().Cos();
            }
            sliced.Step();
            single.ForEach(o => o.Step());
        }
        foreach (var (a, b) in together.Zip(alone)) Assert.True(a.Equal(b));
        single.ForEach(o => o.Dispose());
    }

    private static Tensor Parameter(long elements, int seed)
    {
        var p = Tensor.Arange(0, elements, 1, ScalarType.Float32).Mul(1e-3 * (seed + 1)).Sin().Detach();
        p.RequiresGrad = true;
        return p;
    }

    [Fact]
    public void State_CanBeSavedAndRestored_ToContinueIdentically()
    {
        using var scope = DisposeScope.Enter();
        var (a, optA) = MakeOptimizer();
        var (b, optB) = MakeOptimizer();
        for (var i = 0; i < 3; i++) TrainStep(a, optA);
        // Copy A's full state into B, as a resume from checkpoint does.
        using (NoGradScope.Enter()) b.CopyFrom(a);
        optB.StepCount = optA.StepCount;
        optB.ExpAvg(0).CopyFrom(optA.ExpAvg(0));
        optB.ExpAvgSq(0).CopyFrom(optA.ExpAvgSq(0));
        TrainStep(a, optA);
        TrainStep(b, optB);
        Assert.True(a.Equal(b));
        optA.Dispose();
        optB.Dispose();
    }

    [Fact]
    public void ClipGradNorm_ScalesGradientsToTheMaximumNorm_AndReportsTheOriginalNorm()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.FromArray(new[] { 3.0, 4.0 }).Detach();
        w.RequiresGrad = true;
        (w * w).Sum().Div(2).Backward(); // grad = w = [3, 4], norm 5
        var norm = GradClip.ClipGradNorm([w], 1.0);
        Assert.Equal(5.0, norm, 9);
        Close([0.6, 0.8], w.Grad!, 1e-6);
        Assert.Equal(1.0, GradClip.ClipGradNorm([w], 10.0), 5); // below the limit: unchanged
        Close([0.6, 0.8], w.Grad!, 1e-6);
    }

    [Fact]
    public void Constructor_Throws_WhenAParameterIsNotALeafRequiringGrad()
    {
        using var scope = DisposeScope.Enter();
        var notLeaf = Tensor.Ones([2], requiresGrad: true) * 2;
        Assert.Contains("leaf", Assert.Throws<TorchException>(() => new AdamW([new ParamGroup([notLeaf], 0.1)])).Message);
    }

    private static (Tensor, AdamW) MakeOptimizer()
    {
        var w = Tensor.FromArray(new[] { 1.0, -2.0, 0.5 }).Detach();
        w.RequiresGrad = true;
        return (w, new AdamW([new ParamGroup([w], 0.01, 0.1)]));
    }

    private static void TrainStep(Tensor w, AdamW optimizer)
    {
        using var scope = DisposeScope.Enter();
        (w.Sin() * w).Sum().Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
    }

    /// <summary>AdamW written out from Loshchilov &amp; Hutter's algorithm, in plain doubles.</summary>
    private sealed class ReferenceAdamW(double[] start, double lr, double weightDecay)
    {
        private readonly double[] _m = new double[start.Length], _v = new double[start.Length];
        private int _t;
        public double[] Weights { get; } = (double[])start.Clone();

        public void Step(double[] grad)
        {
            _t++;
            for (var i = 0; i < Weights.Length; i++)
            {
                Weights[i] *= 1 - lr * weightDecay;
                _m[i] = 0.9 * _m[i] + 0.1 * grad[i];
                _v[i] = 0.999 * _v[i] + 0.001 * grad[i] * grad[i];
                var mHat = _m[i] / (1 - Math.Pow(0.9, _t));
                var vHat = _v[i] / (1 - Math.Pow(0.999, _t));
                Weights[i] -= lr * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
    }
}
