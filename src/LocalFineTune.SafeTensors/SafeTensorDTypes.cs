using System.Buffers.Binary;

namespace LocalFineTune.SafeTensors;

/// <summary>Element sizes, HF names and debug conversions for <see cref="SafeTensorDType"/>.</summary>
public static class SafeTensorDTypes
{
    private static readonly Dictionary<string, SafeTensorDType> ByName =
        Enum.GetValues<SafeTensorDType>().ToDictionary(d => d.ToString(), StringComparer.Ordinal);

    /// <summary>All supported dtypes, e.g. for error messages and round-trip tests.</summary>
    public static IReadOnlyList<SafeTensorDType> All { get; } = Enum.GetValues<SafeTensorDType>();

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.BOOL or SafeTensorDType.U8 or SafeTensorDType.I8 => 1,
        SafeTensorDType.F8_E5M2 or SafeTensorDType.F8_E4M3 or SafeTensorDType.F8_E8M0 => 1,
        SafeTensorDType.F8_E4M3FNUZ or SafeTensorDType.F8_E5M2FNUZ => 1,
        SafeTensorDType.I16 or SafeTensorDType.U16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.U32 or SafeTensorDType.F32 => 4,
        SafeTensorDType.C64 or SafeTensorDType.F64 or SafeTensorDType.I64 or SafeTensorDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>The name used in safetensors headers ("F32", "BF16", ...).</summary>
    public static string ToHfName(this SafeTensorDType dtype) =>
        Enum.IsDefined(dtype)
            ? dtype.ToString()
            : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype.");

    /// <summary>Parses a header dtype name. Case-sensitive, like the reference implementation.</summary>
    public static bool TryParse(string name, out SafeTensorDType dtype) => ByName.TryGetValue(name, out dtype);

    /// <summary>Parses a header dtype name or throws with the list of known names.</summary>
    public static SafeTensorDType Parse(string name) =>
        TryParse(name, out var dtype)
            ? dtype
            : throw new ArgumentException($"Unknown safetensors dtype '{name}'. Known: {KnownNames}.", nameof(name));

    /// <summary>Comma-separated list of supported names, for error messages.</summary>
    public static string KnownNames => string.Join(", ", ByName.Keys);

    /// <summary>Rank used by the writer: higher rank is written first (the reference sorts by descending alignment).</summary>
    internal static int SerializationRank(this SafeTensorDType dtype) => (int)dtype;

    /// <summary>IEEE half (little-endian bits) to float. Debug/test helper; real conversion happens in libtorch.</summary>
    public static float HalfBitsToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>bfloat16 bits to float: bf16 is the top half of an IEEE float, so this is exact.</summary>
    public static float BFloat16BitsToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float to bfloat16 bits with round-to-nearest-even, as torch does; NaN stays a quiet NaN.</summary>
    public static ushort SingleToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>float to IEEE half bits (round-to-nearest-even via <see cref="Half"/>).</summary>
    public static ushort SingleToHalfBits(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>
    /// Decodes F32, F16 or BF16 little-endian bytes into floats. For tests and debugging only:
    /// it allocates a managed array, which is exactly what the loading path must not do for big tensors.
    /// </summary>
    public static float[] ToSingleArray(ReadOnlySpan<byte> bytes, SafeTensorDType dtype)
    {
        int size = dtype.ElementSize();
        if (bytes.Length % size != 0)
            throw new ArgumentException($"{bytes.Length} bytes is not a whole number of {dtype} elements ({size} bytes each).", nameof(bytes));
        var result = new float[bytes.Length / size];
        for (int i = 0; i < result.Length; i++)
            result[i] = ReadSingle(bytes.Slice(i * size, size), dtype);
        return result;
    }

    private static float ReadSingle(ReadOnlySpan<byte> element, SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(element),
        SafeTensorDType.F16 => HalfBitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(element)),
        SafeTensorDType.BF16 => BFloat16BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(element)),
        _ => throw new NotSupportedException($"ToSingleArray decodes F32, F16 and BF16 only, not {dtype}."),
    };
}
