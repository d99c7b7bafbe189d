using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.PreTokenizers;

/// <summary>Cuts normalized text into pieces the model encodes independently (HF "pre_tokenizer").</summary>
internal abstract class PreTokenizer
{
    /// <summary>Appends the pieces of one input piece to output (empty pieces are dropped).</summary>
    public abstract void Split(Piece piece, List<Piece> output);

    private const string Supported = "ByteLevel, Split, Metaspace, Digits, Sequence";

    public static PreTokenizer? FromJson(JsonElement json)
    {
        if (ComponentJson.IsNull(json)) return null;
        var type = ComponentJson.TypeOf(json, "pre-tokenizer");
        return type switch
        {
            "ByteLevel" => new ByteLevelPreTokenizer(ComponentJson.Bool(json, "add_prefix_space", true), ComponentJson.Bool(json, "use_regex", true)),
            "Split" => SplitPreTokenizer.FromJson(json),
            "Metaspace" => MetaspacePreTokenizer.FromJson(json),
            "Digits" => new DigitsPreTokenizer(ComponentJson.Bool(json, "individual_digits", false)),
            "Sequence" => new SequencePreTokenizer(ComponentJson.Array(json, "pretokenizers", "Sequence pre-tokenizer")
                .Select(FromJson).OfType<PreTokenizer>().ToArray()),
            _ => throw ComponentJson.Unsupported("pre-tokenizer", type, Supported),
        };
    }
}

internal sealed class SequencePreTokenizer(PreTokenizer[] stages) : PreTokenizer
{
    public override void Split(Piece piece, List<Piece> output)
    {
        var current = new List<Piece> { piece };
        var next = new List<Piece>();
        foreach (var stage in stages)
        {
            next.Clear();
            foreach (var p in current)
            {
                // A stage after ByteLevel would see unmapped text; HF maps bytes eagerly, so do it too.
                stage.Split(p.ByteLevel && stage is not ByteLevelPreTokenizer ? ByteLevelPreTokenizer.Materialize(p) : p, next);
            }
            (current, next) = (next, current);
        }
        output.AddRange(current);
    }
}

/// <summary>Digits: splits on numeric chars (Rust char::is_numeric: Nd, Nl, No), one by one or in runs.</summary>
internal sealed class DigitsPreTokenizer(bool individualDigits) : PreTokenizer
{
    public override void Split(Piece piece, List<Piece> output)
    {
        var matches = new List<(int Start, int Length)>();
        var text = piece.Span;
        for (var i = 0; i < text.Length;)
        {
            System.Text.Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            if (System.Text.Rune.IsNumber(rune)) matches.Add((i, consumed));
            i += consumed;
        }
        SplitBehaviors.Apply(piece, matches, individualDigits ? SplitBehavior.Isolated : SplitBehavior.Contiguous, invert: false, output);
    }
}
