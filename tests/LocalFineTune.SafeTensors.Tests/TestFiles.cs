using System.Buffers.Binary;
using System.Text;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

/// <summary>A temporary folder per test, deleted afterwards, plus byte-level file builders.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lft-st-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class TestFiles
{
    /// <summary>8-byte little-endian length of the header as given (no padding added), the header, the data.</summary>
    public static byte[] Build(string headerJson, byte[]? data = null) =>
        BuildRaw((ulong)Encoding.UTF8.GetByteCount(headerJson), Encoding.UTF8.GetBytes(headerJson), data ?? []);

    /// <summary>Any length prefix, so tests can lie about the header length.</summary>
    public static byte[] BuildRaw(ulong declaredHeaderLength, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    public static TensorToWrite Tensor(string name, SafeTensorDType dtype, long[] shape, int seed = 1)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        return TensorToWrite.FromBytes(name, dtype, shape, RandomBytes((int)(count * dtype.ElementSize()), seed));
    }

    public static SafeTensorsFormatException OpenFails(string path)
    {
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains(path, error.Message); // Every message names the file.
        return error;
    }
}
