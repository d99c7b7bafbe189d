using LocalFineTune.Torch;

namespace LocalFineTune.Torch.Tests;

/// <summary>Mixed precision on the CPU: linears run in bf16 inside the scope, float32 outside, and gradients reach the
/// float32 weights in float32.</summary>
public class AutocastScopeTests
{
    [Fact]
    public void Linear_RunsInBFloat16_OnlyInsideTheScope()
    {
        using var scope = DisposeScope.Enter();
        var x = Values(2, 8, 0.1);
        var w = Values(4, 8, 0.7);
        using (AutocastScope.Enter(Device.Cpu, ScalarType.BFloat16))
        {
            Assert.True(AutocastScope.IsActive);
            Assert.Equal(ScalarType.BFloat16, Functional.Linear(x, w).DType);
        }
        Assert.False(AutocastScope.IsActive);
        Assert.Equal(ScalarType.Float32, Functional.Linear(x, w).DType);
    }

    [Fact]
    public void NestedScope_DoesNotEndTheOuterOne_AndNullIsANoOp()
    {
        using var scope = DisposeScope.Enter();
        var x = Values(2, 8, 0.1);
        var w = Values(4, 8, 0.7);
        using (AutocastScope.Enter(Device.Cpu, null)) Assert.Equal(ScalarType.Float32, Functional.Linear(x, w).DType);
        using (AutocastScope.Enter(Device.Cpu, ScalarType.BFloat16))
        {
            using (AutocastScope.Enter(Device.Cpu, ScalarType.BFloat16)) { }
            Assert.Equal(ScalarType.BFloat16, Functional.Linear(x, w).DType);
        }
        Assert.Equal(ScalarType.Float32, Functional.Linear(x, w).DType);
    }

    [Fact]
    public void Backward_OutsideTheScope_GivesFloat32GradientsCloseToFullPrecision()
    {
        using var scope = DisposeScope.Enter();
        var x = Values(16, 32, 0.1);
        var w = Values(8, 32, 0.7);
        w.RequiresGrad = true;
        Functional.Linear(x, w).Pow(2).Sum().Backward();
        var exact = w.Grad!.Clone();
        w.ClearGrad();

        Tensor loss;
        using (AutocastScope.Enter(Device.Cpu, ScalarType.BFloat16)) loss = Functional.Linear(x, w).To(ScalarType.Float32).Pow(2).Sum();
        loss.Backward();
        var mixed = w.Grad!;
        Assert.Equal(ScalarType.Float32, mixed.DType);
        var relative = (mixed - exact).Abs().Max().ToDouble() / exact.Abs().Max().ToDouble();
        Assert.InRange(relative, 1e-6, 0.05); // not bit-identical (bf16 has 8 mantissa bits), but close
    }

    /// <summary>Fixed, varied values without the global generator (tests run in parallel).</summary>
    private static Tensor Values(long rows, long cols, double phase) =>
        Tensor.Arange(0, rows * cols, 1, ScalarType.Float32).Mul(0.37).Add(phase).Sin().Reshape(rows, cols);

    [Fact]
    public void OtherDtypes_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => AutocastScope.Enter(Device.Cpu, ScalarType.Float64));
        Assert.False(AutocastScope.IsActive);
    }
}
