using System.IO.MemoryMappedFiles;

namespace LocalFineTune.SafeTensors;

/// <summary>
/// One safetensors file, validated completely on <see cref="Open"/> and then memory-mapped read-only,
/// so tensor bytes are paged in from disk on demand and never copied into managed arrays.
/// Spans and pointers handed out stay valid until <see cref="Dispose"/>. Thread-safe for reading.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _data;
    private readonly Dictionary<string, TensorEntry> _tensors;
    private bool _disposed;

    private SafeTensorsFile(string path, ValidatedHeader header, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* fileStart)
    {
        Path = path;
        HeaderLength = header.HeaderLength;
        _tensors = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Metadata = header.Metadata;
        _map = map;
        _view = view;
        _data = fileStart + header.DataStart;
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>Length of the JSON header in bytes (without the 8-byte prefix).</summary>
    public long HeaderLength { get; }

    /// <summary>Tensor entries by name.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Tensors => _tensors;

    /// <summary>The optional "__metadata__" map (empty when absent). Transformers writes {"format": "pt"}.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates a file. Throws <see cref="SafeTensorsFormatException"/> if anything is wrong; nothing is loaded then.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
        string fullPath = System.IO.Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        try
        {
            var header = HeaderReader.Read(stream, fullPath);
            stream.Position = 0;
            // Map the very stream we validated, so a file swapped under the same name cannot slip in between.
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return MapView(fullPath, header, map);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static SafeTensorsFile MapView(string path, ValidatedHeader header, MemoryMappedFile map)
    {
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            return new SafeTensorsFile(path, header, map, view, start + view.PointerOffset);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor of this name.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The entry for a tensor; throws <see cref="KeyNotFoundException"/> naming the file if absent.</summary>
    public TensorEntry GetEntry(string name) =>
        _tensors.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (the file has {_tensors.Count} tensors).");

    /// <summary>
    /// The tensor's raw little-endian bytes over the mapped view. No copy. Valid until Dispose.
    /// Spans are limited to 2 GiB; use <see cref="GetPointer"/> for larger tensors.
    /// </summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var entry = GetEntry(name);
        if (entry.ByteLength > int.MaxValue)
            throw new NotSupportedException(
                $"{Path}: tensor '{name}' is {entry.ByteLength} bytes, more than a span can hold (2 GiB). Use GetPointer and ByteLength instead.");
        return new ReadOnlySpan<byte>(GetPointer(name), (int)entry.ByteLength);
    }

    /// <summary>
    /// Pointer to the tensor's first byte in the mapped view, for zero-copy hand-off to native code.
    /// Valid until Dispose; read-only memory. Aligned to the element size only if the writer aligned
    /// the data (ours and the reference writer do; other writers may not).
    /// </summary>
    public byte* GetPointer(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _data + GetEntry(name).DataOffset;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
