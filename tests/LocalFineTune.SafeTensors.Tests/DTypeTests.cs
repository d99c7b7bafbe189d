using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

public class DTypeTests
{
    [Theory]
    [InlineData("BOOL", 1)] [InlineData("U8", 1)] [InlineData("I8", 1)] [InlineData("F8_E4M3", 1)] [InlineData("F8_E5M2", 1)]
    [InlineData("I16", 2)] [InlineData("U16", 2)] [InlineData("F16", 2)] [InlineData("BF16", 2)]
    [InlineData("I32", 4)] [InlineData("U32", 4)] [InlineData("F32", 4)]
    [InlineData("F64", 8)] [InlineData("I64", 8)] [InlineData("U64", 8)] [InlineData("C64", 8)]
    public void ElementSize_MatchesSpec_ForEachHfName(string name, int size)
    {
        Assert.Equal(size, SafeTensorDTypes.Parse(name).ElementSize());
    }

    [Fact]
    public void Parse_RoundTripsHfName_ForEveryDType()
    {
        foreach (var dtype in SafeTensorDTypes.All)
            Assert.Equal(dtype, SafeTensorDTypes.Parse(dtype.ToHfName()));
    }

    [Theory]
    [InlineData("f32")] [InlineData("float32")] [InlineData("F4")] [InlineData("")]
    public void TryParse_ReturnsFalse_WhenNameUnknownOrWrongCase(string name)
    {
        Assert.False(SafeTensorDTypes.TryParse(name, out _));
        Assert.Contains("BF16", Assert.Throws<ArgumentException>(() => SafeTensorDTypes.Parse(name)).Message);
    }

    [Theory]
    [InlineData((ushort)0x3F80, 1.0f)] [InlineData((ushort)0xC000, -2.0f)] [InlineData((ushort)0x0000, 0.0f)]
    [InlineData((ushort)0x3E80, 0.25f)] [InlineData((ushort)0x7F80, float.PositiveInfinity)]
    public void BFloat16BitsToSingle_IsExact_ForKnownValues(ushort bits, float expected)
    {
        Assert.Equal(expected, SafeTensorDTypes.BFloat16BitsToSingle(bits));
    }

    [Theory]
    [InlineData((ushort)0x3C00, 1.0f)] [InlineData((ushort)0xC000, -2.0f)] [InlineData((ushort)0x7BFF, 65504f)]
    [InlineData((ushort)0x3555, 0.333251953125f)] [InlineData((ushort)0x0001, 5.9604645e-8f)]
    public void HalfBitsToSingle_IsExact_ForKnownValues(ushort bits, float expected)
    {
        Assert.Equal(expected, SafeTensorDTypes.HalfBitsToSingle(bits));
    }

    [Fact]
    public void SingleToBFloat16Bits_RoundsToNearestEven_WhenExactlyHalfway()
    {
        // 1 + 2^-8 is halfway between bf16 1.0 (0x3F80) and the next value 0x3F81: ties go to the even 0x3F80.
        Assert.Equal(0x3F80, SafeTensorDTypes.SingleToBFloat16Bits(1f + 1f / 256));
        // 1 + 3*2^-8 is halfway between 0x3F81 and 0x3F82: ties go to the even 0x3F82.
        Assert.Equal(0x3F82, SafeTensorDTypes.SingleToBFloat16Bits(1f + 3f / 256));
        Assert.True(float.IsNaN(SafeTensorDTypes.BFloat16BitsToSingle(SafeTensorDTypes.SingleToBFloat16Bits(float.NaN))));
    }

    [Fact]
    public void ToSingleArray_DecodesF32F16AndBF16()
    {
        float[] values = [1f, -2.5f, 0.125f];
        Assert.Equal(values, SafeTensorDTypes.ToSingleArray(TestFiles.Floats(values), SafeTensorDType.F32));
        var half = values.SelectMany(v => BitConverter.GetBytes(SafeTensorDTypes.SingleToHalfBits(v))).ToArray();
        Assert.Equal(values, SafeTensorDTypes.ToSingleArray(half, SafeTensorDType.F16));
        var bf16 = values.SelectMany(v => BitConverter.GetBytes(SafeTensorDTypes.SingleToBFloat16Bits(v))).ToArray();
        Assert.Equal(values, SafeTensorDTypes.ToSingleArray(bf16, SafeTensorDType.BF16));
    }

    [Fact]
    public void ToSingleArray_Throws_WhenDTypeIsNotFloatingPoint()
    {
        Assert.Throws<NotSupportedException>(() => SafeTensorDTypes.ToSingleArray(new byte[4], SafeTensorDType.I32));
        Assert.Throws<ArgumentException>(() => SafeTensorDTypes.ToSingleArray(new byte[3], SafeTensorDType.F16));
    }
}
