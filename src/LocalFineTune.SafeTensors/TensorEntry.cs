namespace LocalFineTune.SafeTensors;

/// <summary>One validated header entry of a safetensors file.</summary>
/// <param name="Name">Tensor name as in the header (the HF state-dict key).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions, row-major (C order). Empty for a scalar. Treat as read-only.</param>
/// <param name="DataOffset">Start of the tensor's bytes, relative to the first byte after the header.</param>
/// <param name="ByteLength">Number of bytes: product of <paramref name="Shape"/> times the element size.</param>
public sealed record TensorEntry(string Name, SafeTensorDType DType, long[] Shape, long DataOffset, long ByteLength)
{
    /// <summary>Number of elements (1 for a scalar, 0 if any dimension is 0).</summary>
    public long ElementCount => ByteLength / DType.ElementSize();

    /// <summary>Exclusive end of the byte range, relative to the data section.</summary>
    public long DataEnd => DataOffset + ByteLength;

    /// <summary>Shape as "[2, 3]" for messages.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
