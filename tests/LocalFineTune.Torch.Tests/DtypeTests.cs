using LocalFineTune.Torch;

namespace LocalFineTune.Torch.Tests;

public class DtypeTests
{
    [Fact]
    public void Arrays_RoundTripExactly_ForEveryDotNetElementType()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(new[] { 1.5f, -2f }, Tensor.FromArray(new[] { 1.5f, -2f }).ToArray<float>());
        Assert.Equal(new[] { 1.25, -1e300 }, Tensor.FromArray(new[] { 1.25, -1e300 }).ToArray<double>());
        Assert.Equal(new[] { long.MaxValue, -1L }, Tensor.FromArray(new[] { long.MaxValue, -1L }).ToArray<long>());
        Assert.Equal(new[] { int.MinValue, 3 }, Tensor.FromArray(new[] { int.MinValue, 3 }).ToArray<int>());
        Assert.Equal(new byte[] { 0, 255 }, Tensor.FromArray(new byte[] { 0, 255 }).ToArray<byte>());
        Assert.Equal(new[] { true, false }, Tensor.FromArray(new[] { true, false }).ToArray<bool>());
        Assert.Equal(new[] { (Half)0.5f, (Half)(-3f) }, Tensor.FromArray(new[] { (Half)0.5f, (Half)(-3f) }).ToArray<Half>());
        Assert.Equal(ScalarType.Int32, Tensor.FromArray(new[] { 1 }).DType);
    }

    [Fact]
    public void BFloat16_RoundsToNearestEven_AndRoundTripsThroughRawBytes()
    {
        using var scope = DisposeScope.Enter();
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to even, i.e. 1.
        // 1 + 3·2^-9 rounds up to 1 + 2^-7. 3.140625 is exactly representable.
        var source = Tensor.FromArray(new[] { 1f + 1f / 256, 1f + 3f / 512, 3.140625f, -0f });
        var bf16 = source.To(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.DType);
        Assert.Equal(new[] { 1f, 1f + 1f / 128, 3.140625f, -0f }, bf16.To(ScalarType.Float32).ToArray<float>());
        var raw = bf16.ToBytes();
        Assert.Equal(8, raw.Length);
        Assert.Equal(new byte[] { 0x80, 0x3F }, raw[..2]); // 1.0 = 0x3F80, little-endian
        var back = Tensor.FromBytes(raw, [4], ScalarType.BFloat16);
        Assert.True(back.Equal(bf16));
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.UInt8)]
    [InlineData(ScalarType.Bool)]
    public void Casts_PreserveSmallIntegers_ThroughEveryType(ScalarType type)
    {
        using var scope = DisposeScope.Enter();
        var values = type == ScalarType.Bool ? new[] { 0f, 1f, 1f } : new[] { 0f, 1f, 7f };
        var cast = Tensor.FromArray(values).To(type);
        Assert.Equal(type, cast.DType);
        Assert.Equal(values.Length * type.ElementSize(), cast.ToBytes().Length);
        Assert.Equal(values, cast.To(ScalarType.Float32).ToArray<float>());
    }

    [Fact]
    public void ToArray_Throws_WhenElementTypeDiffers()
    {
        using var t = Tensor.Ones([2]);
        Assert.Contains("To(Float64)", Assert.Throws<InvalidOperationException>(() => t.ToArray<double>()).Message);
    }

    [Fact]
    public void Device_ParsesNames_AndRejectsUnknownOnes()
    {
        Assert.Equal(Device.Cpu, Device.Parse("CPU"));
        Assert.Equal(Runtime.CudaIsAvailable ? Device.Cuda() : Device.Cpu, Device.Parse("auto"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        if (!Runtime.CudaIsAvailable)
            Assert.Contains("no GPU", Assert.Throws<ArgumentException>(() => Device.Parse("cuda:0")).Message);
    }
}
