using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;
using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.PreTokenizers;

/// <summary>When Metaspace adds its replacement char in front of a piece.</summary>
internal enum PrependScheme { Always, First, Never }

/// <summary>Metaspace (SentencePiece style): spaces become '▁', a '▁' is prepended, pieces split before each '▁'.</summary>
internal sealed class MetaspacePreTokenizer(char replacement, PrependScheme scheme, bool split) : PreTokenizer
{
    public static new MetaspacePreTokenizer FromJson(JsonElement json) =>
        new(Replacement(json), Scheme(json), ComponentJson.Bool(json, "split", true));

    public static char Replacement(JsonElement json)
    {
        var replacement = ComponentJson.String(json, "replacement") ?? "\u2581";
        return replacement.Length == 1 ? replacement[0]
            : throw new FormatException($"tokenizer.json: Metaspace replacement must be one character, got '{replacement}'.");
    }

    /// <summary>Newer files say prepend_scheme; older ones only add_prefix_space (true = always).</summary>
    public static PrependScheme Scheme(JsonElement json) => ComponentJson.String(json, "prepend_scheme") switch
    {
        "always" => PrependScheme.Always,
        "first" => PrependScheme.First,
        "never" => PrependScheme.Never,
        null => ComponentJson.Bool(json, "add_prefix_space", true) ? PrependScheme.Always : PrependScheme.Never,
        var other => throw new NotSupportedException($"Unsupported Metaspace prepend_scheme '{other}'. Supported: always, first, never."),
    };

    public override void Split(Piece piece, List<Piece> output)
    {
        var text = piece.Text.Replace(' ', replacement);
        var prepend = scheme == PrependScheme.Always || (scheme == PrependScheme.First && piece.OriginalStart == 0);
        if (prepend && !text.StartsWith(replacement)) text = replacement + text;
        var replaced = piece with { Source = text, Start = 0, Length = text.Length };
        if (!split)
        {
            if (text.Length > 0) output.Add(replaced);
            return;
        }
        var matches = new List<(int Start, int Length)>();
        for (var i = text.IndexOf(replacement); i >= 0; i = text.IndexOf(replacement, i + 1)) matches.Add((i, 1));
        SplitBehaviors.Apply(replaced, matches, SplitBehavior.MergedWithNext, invert: false, output);
    }
}
