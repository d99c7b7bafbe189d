using System.Buffers.Binary;

namespace LocalFineTune.SafeTensors;

/// <summary>A fully validated header: entries in header order, metadata, and where the data starts.</summary>
internal sealed record ValidatedHeader(IReadOnlyList<TensorEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long HeaderLength)
{
    /// <summary>File offset of the first data byte: the 8-byte length prefix plus the header.</summary>
    public long DataStart => 8 + HeaderLength;
}

/// <summary>Reads and validates the length prefix and the header from an open stream.</summary>
internal static class HeaderReader
{
    /// <summary>The reference implementation's limit; a bigger header is a corrupt or hostile file.</summary>
    public const long MaxHeaderLength = 100_000_000;

    public static ValidatedHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new SafeTensorsFormatException(path,
                $"the file is only {fileLength} bytes; a safetensors file starts with an 8-byte header length. " +
                "The file is truncated or not a safetensors file; copy or download it again.");
        ulong headerLength = ReadHeaderLength(stream);
        CheckHeaderLength(headerLength, fileLength, path);
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        var parsed = HeaderParser.Parse(json, path);
        long dataLength = fileLength - 8 - (long)headerLength;
        var entries = LayoutValidator.Validate(parsed.Entries, dataLength, (long)headerLength, path);
        return new ValidatedHeader(entries, parsed.Metadata, (long)headerLength);
    }

    private static ulong ReadHeaderLength(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        return BinaryPrimitives.ReadUInt64LittleEndian(prefix);
    }

    private static void CheckHeaderLength(ulong headerLength, long fileLength, string path)
    {
        if (headerLength > MaxHeaderLength)
            throw new SafeTensorsFormatException(path,
                $"the header length prefix says {headerLength} bytes, above the format's limit of {MaxHeaderLength} bytes (100 MB). " +
                "The file is corrupt or not a safetensors file (the first 8 bytes must be the little-endian header length).");
        if (headerLength > (ulong)(fileLength - 8))
            throw new SafeTensorsFormatException(path,
                $"the header length prefix says {headerLength} bytes but only {fileLength - 8} bytes follow it: " +
                "the file is truncated (or not a safetensors file). Copy or download it again.");
    }
}
