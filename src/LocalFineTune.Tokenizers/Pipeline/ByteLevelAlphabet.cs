namespace LocalFineTune.Tokenizers.Pipeline;

/// <summary>
/// GPT-2's reversible byte → printable char mapping: printable Latin-1 bytes map to themselves,
/// the other 68 bytes to U+0100 onwards, so every byte string becomes a string BPE can merge.
/// </summary>
internal static class ByteLevelAlphabet
{
    public static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly short[] CharToByteTable = BuildCharToByte();

    /// <summary>The byte for a byte-level char, or -1 when the char is not in the alphabet.</summary>
    public static int CharToByte(char c) => c < CharToByteTable.Length ? CharToByteTable[c] : -1;

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static short[] BuildCharToByte()
    {
        var table = new short[512];
        Array.Fill(table, (short)-1);
        for (var b = 0; b < 256; b++) table[ByteToChar[b]] = (short)b;
        return table;
    }

    /// <summary>
    /// The byte chars of text's UTF-8 bytes, in an array rented from ArrayPool&lt;char&gt;.Shared
    /// (set in rented; the caller returns it). Avoids a string per word on the BPE path.
    /// </summary>
    public static ReadOnlySpan<char> Encode(ReadOnlySpan<char> text, ref char[]? rented)
    {
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(text);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            System.Text.Encoding.UTF8.GetBytes(text, buffer);
            rented = System.Buffers.ArrayPool<char>.Shared.Rent(byteCount);
            for (var i = 0; i < byteCount; i++) rented[i] = ByteToChar[buffer[i]];
            return rented.AsSpan(0, byteCount);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static string Encode(ReadOnlySpan<char> text)
    {
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        Span<char> chars = byteCount <= 512 ? stackalloc char[byteCount] : new char[byteCount];
        for (var i = 0; i < byteCount; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }
}
