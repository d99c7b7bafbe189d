using System.Text;

namespace LocalFineTune.Tokenizers.Models;

/// <summary>
/// A word's symbols before merging, as HF's merge_word makes them: one per char (with the continuing
/// prefix on all but the first and the end-of-word suffix on the last), else its &lt;0xNN&gt; byte tokens
/// when byte_fallback is on, else unk (fused with the previous unk if asked), else nothing.
/// Single chars are looked up in a table, so a word costs no string allocation.
/// </summary>
internal sealed class SymbolTable
{
    private readonly int[] _bmpIds = new int[char.MaxValue + 1];
    private readonly Dictionary<int, int> _astralIds = new();
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocab;
    private readonly int[]? _byteIds;
    private readonly int _unkId;
    private readonly bool _fuseUnk;
    private readonly string _prefix;
    private readonly string _suffix;
    private readonly bool _hasAffixes;

    public SymbolTable(Dictionary<string, int> vocab, BpeOptions options)
    {
        _vocab = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        Array.Fill(_bmpIds, -1);
        foreach (var (token, id) in vocab)
        {
            if (token.Length == 1 && !char.IsSurrogate(token[0])) _bmpIds[token[0]] = id;
            else if (token.Length == 2 && char.IsSurrogatePair(token[0], token[1])) _astralIds[char.ConvertToUtf32(token[0], token[1])] = id;
        }
        _byteIds = options.ByteFallback ? ByteTokenIds(vocab) : null;
        _unkId = options.UnkToken is { } unk && vocab.TryGetValue(unk, out var unkId) ? unkId : -1;
        _fuseUnk = options.FuseUnk;
        (_prefix, _suffix) = (options.ContinuingSubwordPrefix, options.EndOfWordSuffix);
        _hasAffixes = _prefix.Length > 0 || _suffix.Length > 0;
    }

    /// <summary>
    /// An upper bound on the symbols word starts with: one per char, or with byte_fallback every UTF-8
    /// byte of every char with its affixes (sized exactly, so a long word does not reserve 3× its length).
    /// </summary>
    public int MaxSymbols(ReadOnlySpan<char> word)
    {
        if (_byteIds is null) return word.Length + 1;
        var bytes = System.Text.Encoding.UTF8.GetByteCount(word);
        return bytes + word.Length * 3 * _prefix.Length + 3 * _suffix.Length + 4;
    }

    /// <summary>Writes the initial symbols of word into output (MaxSymbols(word) long); returns their count.</summary>
    public int InitialSymbols(ReadOnlySpan<char> word, int[] output)
    {
        var tokenLength = _prefix.Length + 2 + _suffix.Length;
        Span<char> token = _hasAffixes ? (tokenLength <= 256 ? stackalloc char[tokenLength] : new char[tokenLength]) : default;
        var count = 0;
        var unkPending = false;
        for (var i = 0; i < word.Length;)
        {
            // A lone surrogate decodes as U+FFFD, as the UTF-8 text HF sees would.
            Rune.DecodeFromUtf16(word[i..], out var rune, out var consumed);
            var isFirst = i == 0;
            i += consumed;
            var text = _hasAffixes ? Compose(token, rune, isFirst, isLast: i == word.Length) : default;
            var id = _hasAffixes ? (_vocab.TryGetValue(text, out var found) ? found : -1) : IdOf(rune);
            if (id >= 0)
            {
                if (unkPending) output[count++] = _unkId;
                unkPending = false;
                output[count++] = id;
                continue;
            }
            // HF leaves a pending unk pending across byte tokens, so it lands after them.
            if (_byteIds is not null && TryAddBytes(rune, text, output, ref count)) continue;
            if (_unkId < 0) continue; // without unk, HF drops chars it cannot represent
            if (unkPending && !_fuseUnk) output[count++] = _unkId;
            unkPending = true;
        }
        if (unkPending) output[count++] = _unkId;
        return count;
    }

    private int IdOf(Rune rune) =>
        rune.IsBmp ? _bmpIds[rune.Value] : _astralIds.TryGetValue(rune.Value, out var id) ? id : -1;

    private Span<char> Compose(Span<char> buffer, Rune rune, bool isFirst, bool isLast)
    {
        var length = 0;
        if (!isFirst) { _prefix.CopyTo(buffer); length = _prefix.Length; }
        length += rune.EncodeToUtf16(buffer[length..]);
        if (isLast) { _suffix.CopyTo(buffer[length..]); length += _suffix.Length; }
        return buffer[..length];
    }

    /// <summary>The byte tokens of the symbol's text (with its prefix/suffix, as HF takes them), if all exist.</summary>
    private bool TryAddBytes(Rune rune, ReadOnlySpan<char> affixed, int[] output, ref int count)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (_hasAffixes) bytes = System.Text.Encoding.UTF8.GetBytes(affixed.ToArray()); // rare: affixes with byte_fallback
        else bytes = bytes[..rune.EncodeToUtf8(bytes)];
        foreach (var b in bytes) if (_byteIds![b] < 0) return false;
        foreach (var b in bytes) output[count++] = _byteIds![b];
        return true;
    }

    private static int[] ByteTokenIds(Dictionary<string, int> vocab)
    {
        var ids = new int[256];
        for (var b = 0; b < 256; b++) ids[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        return ids;
    }
}
