using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers;

public sealed partial class Tokenizer
{
    private void EncodeInto(string text, bool addSpecialTokens, List<int> ids, List<(int, int)>? offsets,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckLength(text);
        cancellationToken.ThrowIfCancellationRequested();
        var (before, after) = addSpecialTokens && _postProcessor is not null ? _postProcessor.SpecialTokens() : ([], []);
        AddSpecial(before, ids, offsets);
        foreach (var (start, end, token) in SplitAddedTokens(_rawMatcher, text))
        {
            if (token is not null) { Add(token.Id, (start, end), ids, offsets); continue; }
            EncodeOrdinaryText(text.Substring(start, end - start), start, ids, offsets, cancellationToken);
        }
        AddSpecial(after, ids, offsets);
    }

    private static IEnumerable<(int Start, int End, AddedToken? Token)> SplitAddedTokens(AddedTokenMatcher matcher, string text) =>
        matcher.IsEmpty ? (text.Length == 0 ? [] : [(0, text.Length, null)]) : matcher.Split(text);

    /// <summary>Text between raw added tokens: normalize, find normalized added tokens, pre-tokenize, run BPE.</summary>
    private void EncodeOrdinaryText(string segment, int originalStart, List<int> ids, List<(int, int)>? offsets,
        CancellationToken cancellationToken)
    {
        var normalized = _normalizer?.Normalize(segment) ?? segment;
        // Offsets inside a segment are only meaningful when nothing rewrote the text.
        var exactOffsets = ReferenceEquals(normalized, segment) || normalized == segment;
        var pieces = new List<Piece>();
        foreach (var (start, end, token) in SplitAddedTokens(_normalizedMatcher, normalized))
        {
            var span = exactOffsets ? (originalStart + start, originalStart + end) : (originalStart, originalStart + segment.Length);
            if (token is not null) { Add(token.Id, span, ids, offsets); continue; }
            pieces.Clear();
            var piece = new Piece(normalized, start, end - start, originalStart + start);
            if (_preTokenizer is null) pieces.Add(piece);
            else _preTokenizer.Split(piece, pieces);
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var p in pieces)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var wordIds = _model.EncodeWord(p.Span, p.ByteLevel, cancellationToken);
                if (offsets is null) ids.AddRange(wordIds);
                else AddWithOffsets(p, wordIds, exactOffsets ? null : span, ids, offsets);
            }
        }
    }

    private void AddWithOffsets(Piece piece, int[] wordIds, (int, int)? fixedSpan, List<int> ids, List<(int, int)> offsets)
    {
        if (fixedSpan is null && piece.ByteLevel && piece.Source.Length >= piece.Start + piece.Length)
        {
            ByteLevelOffsets(piece, wordIds, ids, offsets);
            return;
        }
        var span = fixedSpan ?? (piece.OriginalStart, piece.OriginalStart + piece.Length);
        foreach (var id in wordIds) Add(id, span, ids, offsets);
    }

    /// <summary>Each byte-level token covers whole UTF-8 bytes; report the chars those bytes belong to.</summary>
    private void ByteLevelOffsets(Piece piece, int[] wordIds, List<int> ids, List<(int, int)> offsets)
    {
        var text = piece.Span;
        var byteToChar = new List<int>(text.Length * 2);
        for (var i = 0; i < text.Length; i++)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
            var bytes = System.Text.Encoding.UTF8.GetByteCount(text.Slice(i, width));
            for (var b = 0; b < bytes; b++) byteToChar.Add(i);
            i += width - 1;
        }
        var position = 0;
        foreach (var id in wordIds)
        {
            var length = Math.Max(1, _model.IdToToken(id)?.Length ?? 1);
            var first = byteToChar[Math.Min(position, byteToChar.Count - 1)];
            var lastByte = Math.Min(position + length, byteToChar.Count) - 1;
            var last = byteToChar[lastByte] + (char.IsHighSurrogate(text[byteToChar[lastByte]]) ? 2 : 1);
            Add(id, (piece.OriginalStart + first, piece.OriginalStart + last), ids, offsets);
            position += length;
        }
    }

    private static void Add(int id, (int, int) span, List<int> ids, List<(int, int)>? offsets)
    {
        ids.Add(id);
        offsets?.Add(span);
    }

    private static void AddSpecial(int[] special, List<int> ids, List<(int, int)>? offsets)
    {
        foreach (var id in special) Add(id, (0, 0), ids, offsets);
    }
}
