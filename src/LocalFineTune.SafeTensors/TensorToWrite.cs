namespace LocalFineTune.SafeTensors;

/// <summary>
/// A tensor to be written: its header facts plus a callback that streams its bytes, so a writer
/// can save a multi-GB model one tensor at a time (e.g. copying from a libtorch tensor's CPU memory).
/// </summary>
public sealed class TensorToWrite
{
    /// <param name="name">Tensor name (the HF state-dict key).</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Dimensions, row-major; empty for a scalar.</param>
    /// <param name="writeData">Writes exactly <see cref="ByteLength"/> little-endian bytes to the given stream; the writer checks the count.</param>
    public TensorToWrite(string name, SafeTensorDType dtype, long[] shape, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(writeData);
        Name = name;
        DType = dtype;
        Shape = (long[])shape.Clone();
        ByteLength = ComputeByteLength(name, dtype, Shape);
        WriteData = writeData;
    }

    public string Name { get; }
    public SafeTensorDType DType { get; }
    public long[] Shape { get; }

    /// <summary>Product of the shape times the element size.</summary>
    public long ByteLength { get; }

    /// <summary>Streams the tensor's bytes.</summary>
    public Action<Stream> WriteData { get; }

    /// <summary>A tensor whose bytes are already in memory. Checks the length against the shape now, not mid-write.</summary>
    public static TensorToWrite FromBytes(string name, SafeTensorDType dtype, long[] shape, ReadOnlyMemory<byte> data)
    {
        var tensor = new TensorToWrite(name, dtype, shape, stream => stream.Write(data.Span));
        if (tensor.ByteLength != data.Length)
            throw new ArgumentException(
                $"Tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} needs {tensor.ByteLength} bytes but {data.Length} were given.", nameof(data));
        return tensor;
    }

    private static long ComputeByteLength(string name, SafeTensorDType dtype, long[] shape)
    {
        long elements = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            elements = checked(elements * dim);
        }
        return checked(elements * dtype.ElementSize());
    }
}
