namespace LocalFineTune.Tokenizers.Pipeline;

/// <summary>
/// One pre-token: a slice of Source, plus where it starts in the user's text (for offsets and for
/// Metaspace's "first" scheme, which only prepends to the piece at the very start of the input).
/// </summary>
/// <param name="Source">The string the slice is taken from (splitting reuses it, so no copies).</param>
/// <param name="ByteLevel">True once a ByteLevel pre-tokenizer has claimed the piece: the model
/// must then see its UTF-8 bytes as GPT-2 byte chars.</param>
internal readonly record struct Piece(string Source, int Start, int Length, int OriginalStart, bool ByteLevel = false)
{
    public ReadOnlySpan<char> Span => Source.AsSpan(Start, Length);
    public string Text => Source.Substring(Start, Length);

    public Piece Slice(int start, int length) =>
        this with { Start = Start + start, Length = length, OriginalStart = OriginalStart + start };

    public static Piece Whole(string text, int originalStart) => new(text, 0, text.Length, originalStart);
}
