using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.PreTokenizers;

/// <summary>
/// ByteLevel: optionally prefixes a space and splits with GPT-2's word regex, then hands the model
/// UTF-8 bytes as GPT-2 byte chars. The byte mapping is deferred to the model so the BPE cache can
/// be looked up with the plain text slice, without allocating.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    private static readonly Lazy<UnicodeRegex> Gpt2Regex = new(() => new UnicodeRegex(Gpt2Pattern, true));

    [ThreadStatic] private static List<(int Start, int Length)>? _matches;

    public override void Split(Piece piece, List<Piece> output)
    {
        if (addPrefixSpace && !piece.Span.StartsWith(' '))
            piece = piece with { Source = " " + piece.Text, Start = 0, Length = piece.Length + 1 };
        if (!useRegex)
        {
            if (piece.Length > 0) output.Add(piece with { ByteLevel = true });
            return;
        }
        var matches = _matches ??= new List<(int Start, int Length)>();
        Gpt2Regex.Value.Matches(piece.Span, matches);
        var before = output.Count;
        SplitBehaviors.Apply(piece, matches, SplitBehavior.Isolated, invert: false, output);
        for (var i = before; i < output.Count; i++) output[i] = output[i] with { ByteLevel = true };
    }

    /// <summary>Replaces a piece's text by its byte chars, for stages that run after ByteLevel.</summary>
    public static Piece Materialize(Piece piece)
    {
        var mapped = ByteLevelAlphabet.Encode(piece.Span);
        return piece with { Source = mapped, Start = 0, Length = mapped.Length, ByteLevel = false };
    }
}
