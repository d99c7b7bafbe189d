using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.PreTokenizers;

/// <summary>Split: cuts at every match of a string or regex (Llama-3 and Qwen put their word regex here).</summary>
internal sealed class SplitPreTokenizer(UnicodeRegex regex, SplitBehavior behavior, bool invert) : PreTokenizer
{
    public static new SplitPreTokenizer FromJson(JsonElement json)
    {
        var (pattern, isRegex) = ComponentJson.Pattern(json, "Split pre-tokenizer");
        return new SplitPreTokenizer(new UnicodeRegex(pattern, isRegex),
            SplitBehaviors.Parse(ComponentJson.String(json, "behavior")), ComponentJson.Bool(json, "invert", false));
    }

    [ThreadStatic] private static List<(int Start, int Length)>? _matches;

    public override void Split(Piece piece, List<Piece> output)
    {
        var matches = _matches ??= new List<(int Start, int Length)>();
        regex.Matches(piece.Span, matches);
        SplitBehaviors.Apply(piece, matches, behavior, invert, output);
    }
}
