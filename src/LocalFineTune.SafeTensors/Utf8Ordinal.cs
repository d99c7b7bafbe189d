using System.Text;

namespace LocalFineTune.SafeTensors;

/// <summary>
/// Orders strings by their UTF-8 bytes, which is how Rust's String compares and therefore how the
/// reference writer sorts names. string.CompareOrdinal compares UTF-16 units and disagrees for
/// characters above U+FFFF versus U+E000..U+FFFF; comparing code points (runes) agrees with UTF-8.
/// </summary>
internal sealed class Utf8Ordinal : IComparer<string>
{
    public static readonly Utf8Ordinal Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var left = x.EnumerateRunes();
        var right = y.EnumerateRunes();
        while (true)
        {
            bool hasLeft = left.MoveNext(), hasRight = right.MoveNext();
            if (!hasLeft || !hasRight) return hasLeft.CompareTo(hasRight);
            int byRune = left.Current.Value.CompareTo(right.Current.Value);
            if (byRune != 0) return byRune;
        }
    }

    /// <summary>True if the string has no lone surrogate, i.e. it survives a UTF-8 round trip.</summary>
    public static bool IsWellFormed(string s)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(s);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>UTF-8 that throws instead of writing U+FFFD for lone surrogates.</summary>
    public static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
