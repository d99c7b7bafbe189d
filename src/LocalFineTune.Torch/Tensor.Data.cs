using System.Runtime.InteropServices;
using LocalFineTune.Torch.Native;

namespace LocalFineTune.Torch;

/// <summary>Moving data between .NET memory and tensors. Every creation copies, so the source may change afterwards.</summary>
public sealed partial class Tensor
{
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);

    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, Device? device = null, bool requiresGrad = false)
        where T : unmanaged
    {
        var type = ScalarTypeExtensions.Of<T>();
        CheckLength(data.Length, shape);
        fixed (T* p = data) return FromPointer(p, shape, type, device, requiresGrad);
    }

    /// <summary>From raw little-endian element bytes, e.g. bfloat16 or float16 read from a checkpoint.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, long[] shape, ScalarType type, Device? device = null)
    {
        CheckLength(bytes.Length / type.ElementSize(), shape);
        if (bytes.Length % type.ElementSize() != 0)
            throw new ArgumentException($"{bytes.Length} bytes is not a whole number of {type} elements.");
        fixed (byte* p = bytes) return FromPointer(p, shape, type, device, false);
    }

    /// <summary>From unmanaged memory (a memory-mapped checkpoint, say), copied before returning.</summary>
    public static unsafe Tensor FromPointer(void* data, long[] shape, ScalarType type, Device? device = null, bool requiresGrad = false)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape)
            return Wrap(NativeMethods.lft_tensor_from_data(data, s, shape.Length, (int)type, (int)d.Type, d.Index, requiresGrad));
    }

    public static Tensor Scalar(double value, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Full([], value, type, device);

    public T[] ToArray<T>() where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        if (DType != expected)
            throw new InvalidOperationException($"tensor holds {DType}, not {expected}: call .To({expected}) first.");
        var result = new T[NumEl];
        CopyBytesTo(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>The raw element bytes, in row-major order, whatever the dtype (bf16 included).</summary>
    public byte[] ToBytes()
    {
        var result = new byte[NumEl * DType.ElementSize()];
        CopyBytesTo(result);
        return result;
    }

    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* p = destination) Check.Status(NativeMethods.lft_tensor_copy_to_host(Handle, p, destination.Length));
    }

    /// <summary>The single value of a one-element tensor. Synchronises with the device.</summary>
    public double ToDouble()
    {
        Check.Status(NativeMethods.lft_tensor_item_double(Handle, out var value));
        return value;
    }

    public float ToSingle() => (float)ToDouble();

    public long ToInt64()
    {
        Check.Status(NativeMethods.lft_tensor_item_int64(Handle, out var value));
        return value;
    }

    private static void CheckLength(long elements, long[] shape)
    {
        long expected = 1;
        foreach (var dim in shape)
        {
            if (dim < 0) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension.");
            expected *= dim;
        }
        if (expected != elements)
            throw new ArgumentException($"{elements} elements cannot fill shape [{string.Join(", ", shape)}] ({expected} elements).");
    }
}
