using System.Buffers.Binary;

namespace LocalFineTune.SafeTensors;

/// <summary>
/// Writes one safetensors file, byte-identical to the reference writer (huggingface/safetensors,
/// used by transformers' save_pretrained) for the same tensors and metadata.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>The metadata transformers writes; pass it so transformers loads the file as PyTorch weights.</summary>
    public static IReadOnlyDictionary<string, string> PyTorchMetadata { get; } = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>, atomically (temp file + rename).
    /// Tensors are streamed one by one in file order. Metadata is written only when not null.
    /// </summary>
    public static void Write(string path, IReadOnlyList<TensorToWrite> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ValidateNames(tensors);
        ValidateMetadata(metadata);
        var layout = Layout(tensors);
        byte[] header = HeaderJsonWriter.Build(layout, metadata);
        AtomicFile.Write(path, stream => WriteContent(stream, header, layout));
    }

    /// <summary>
    /// File order of the reference writer: descending dtype alignment (its Dtype enum order), then name
    /// by UTF-8 bytes. Big-alignment tensors first keeps every tensor aligned to its element size,
    /// given the 8-byte-aligned data start.
    /// </summary>
    public static IReadOnlyList<TensorToWrite> InFileOrder(IEnumerable<TensorToWrite> tensors) =>
        tensors.OrderByDescending(t => t.DType.SerializationRank())
               .ThenBy(t => t.Name, Utf8Ordinal.Instance)
               .ToList();

    private static List<(TensorToWrite Tensor, long Begin)> Layout(IReadOnlyList<TensorToWrite> tensors)
    {
        var layout = new List<(TensorToWrite, long)>(tensors.Count);
        long offset = 0;
        foreach (var tensor in InFileOrder(tensors))
        {
            layout.Add((tensor, offset));
            offset += tensor.ByteLength;
        }
        return layout;
    }

    private static void WriteContent(Stream stream, byte[] header, List<(TensorToWrite Tensor, long Begin)> layout)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (tensor, _) in layout)
        {
            var counting = new CountingWriteStream(stream);
            tensor.WriteData(counting);
            if (counting.BytesWritten != tensor.ByteLength)
                throw new InvalidOperationException(
                    $"Tensor '{tensor.Name}': its WriteData callback wrote {counting.BytesWritten} bytes but shape " +
                    $"[{string.Join(", ", tensor.Shape)}] of {tensor.DType} needs {tensor.ByteLength}. Nothing was saved.");
        }
    }

    /// <summary>Rejects names the format cannot hold unambiguously. Shared with the sharded writer.</summary>
    internal static void ValidateNames(IEnumerable<TensorToWrite> tensors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (tensor.Name.Length == 0)
                throw new ArgumentException("A tensor has an empty name; give every tensor its state-dict key.", nameof(tensors));
            if (tensor.Name == HeaderParser.MetadataKey)
                throw new ArgumentException($"'{HeaderParser.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            if (!Utf8Ordinal.IsWellFormed(tensor.Name))
                throw new ArgumentException($"Tensor name '{tensor.Name}' has a lone UTF-16 surrogate and cannot be written as UTF-8.", nameof(tensors));
            if (!seen.Add(tensor.Name))
                throw new ArgumentException($"Tensor '{tensor.Name}' is given twice; names must be unique.", nameof(tensors));
        }
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null) return;
        foreach (var (key, value) in metadata)
        {
            if (value is null)
                throw new ArgumentException($"Metadata '{key}' is null; the format allows only strings.", nameof(metadata));
            if (!Utf8Ordinal.IsWellFormed(key) || !Utf8Ordinal.IsWellFormed(value))
                throw new ArgumentException($"Metadata '{key}' has a lone UTF-16 surrogate and cannot be written as UTF-8.", nameof(metadata));
        }
    }
}
