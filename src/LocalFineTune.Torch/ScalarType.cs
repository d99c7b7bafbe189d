namespace LocalFineTune.Torch;

/// <summary>Element types. The values are libtorch's c10::ScalarType codes, so they cross the boundary unchanged.</summary>
public enum ScalarType
{
    UInt8 = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

public static class ScalarTypeExtensions
{
    public static int ElementSize(this ScalarType type) => type switch
    {
        ScalarType.UInt8 or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown scalar type"),
    };

    public static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>The element type a .NET array of T maps to.</summary>
    public static ScalarType Of<T>() where T : unmanaged => default(T) switch
    {
        float => ScalarType.Float32,
        double => ScalarType.Float64,
        long => ScalarType.Int64,
        int => ScalarType.Int32,
        short => ScalarType.Int16,
        sbyte => ScalarType.Int8,
        byte => ScalarType.UInt8,
        bool => ScalarType.Bool,
        Half => ScalarType.Float16,
        _ => throw new NotSupportedException(
            $"{typeof(T).Name} has no tensor element type; use float, double, long, int, short, sbyte, byte, bool or Half " +
            "(for bfloat16 pass raw bytes to Tensor.FromBytes)."),
    };
}
