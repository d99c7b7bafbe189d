using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;

namespace LocalFineTune.Tokenizers.Pipeline;

/// <summary>An entry of tokenizer.json "added_tokens".</summary>
/// <param name="Special">Skipped by Decode(skipSpecialTokens: true).</param>
/// <param name="LStrip">The match swallows whitespace on its left.</param>
/// <param name="RStrip">The match swallows whitespace on its right.</param>
/// <param name="SingleWord">Only matches when not glued to a letter or digit on either side.</param>
/// <param name="Normalized">Matched in the normalized text rather than the raw input.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false,
    bool SingleWord = false, bool Normalized = false)
{
    internal static AddedToken FromJson(JsonElement json) => new(
        ComponentJson.Int(json, "id", -1), ComponentJson.String(json, "content") ?? "",
        ComponentJson.Bool(json, "special", false), ComponentJson.Bool(json, "lstrip", false),
        ComponentJson.Bool(json, "rstrip", false), ComponentJson.Bool(json, "single_word", false),
        ComponentJson.Bool(json, "normalized", false));
}

/// <summary>
/// Finds added tokens in text before anything else runs, like HF: leftmost-longest matches, then
/// single_word / lstrip / rstrip adjustments. One instance per pass (raw text or normalized text).
/// The patterns sit in a trie, so each position costs the length of its longest partial match,
/// not one comparison per token (Llama-3 has 256 tokens that all start with "&lt;|").
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<long, int> _edges = new(); // (node, char) → child node
    private readonly List<AddedToken?> _tokenAtNode = [null]; // node 0 is the root
    private readonly List<int> _depth = [0];

    /// <param name="patterns">Each token with the text to look for (normalized tokens are looked for normalized).</param>
    public AddedTokenMatcher(IEnumerable<(string Pattern, AddedToken Token)> patterns)
    {
        foreach (var (pattern, token) in patterns.Where(p => p.Pattern.Length > 0))
        {
            var node = 0;
            foreach (var c in pattern) node = ChildOrNew(node, c);
            _tokenAtNode[node] ??= token; // the same text twice: the first token listed wins
        }
    }

    private int ChildOrNew(int node, char c)
    {
        if (_edges.TryGetValue(Edge(node, c), out var child)) return child;
        child = _tokenAtNode.Count;
        _tokenAtNode.Add(null);
        _depth.Add(_depth[node] + 1);
        _edges[Edge(node, c)] = child;
        return child;
    }

    private static long Edge(int node, char c) => ((long)node << 16) | c;

    public bool IsEmpty => _edges.Count == 0;

    /// <summary>Segments covering text: (start, end, token) where token is null for ordinary text.</summary>
    public List<(int Start, int End, AddedToken? Token)> Split(string text)
    {
        var segments = new List<(int, int, AddedToken?)>();
        var consumed = 0;
        for (var position = 0; position < text.Length;)
        {
            var match = LongestAt(text, position);
            if (match is null) { position++; continue; }
            var (length, token) = match.Value;
            int start = position, end = position + length;
            position = end;
            if (token.SingleWord && (EndsWithWordChar(text, start) || StartsWithWordChar(text, end))) continue;
            if (token.LStrip) start = Math.Max(consumed, TrailingWhitespaceStart(text, start));
            if (token.RStrip) end = LeadingWhitespaceEnd(text, end);
            if (start > consumed) segments.Add((consumed, start, null));
            segments.Add((start, end, token));
            consumed = end;
            position = Math.Max(position, end);
        }
        if (consumed < text.Length) segments.Add((consumed, text.Length, null));
        return segments;
    }

    private (int Length, AddedToken Token)? LongestAt(string text, int position)
    {
        (int, AddedToken)? longest = null;
        var node = 0;
        for (var i = position; i < text.Length && _edges.TryGetValue(Edge(node, text[i]), out node); i++)
            if (_tokenAtNode[node] is { } token) longest = (_depth[node], token);
        return longest;
    }

    private static bool EndsWithWordChar(string text, int index) =>
        index > 0 && IsWordChar(text, char.IsLowSurrogate(text[index - 1]) && index > 1 ? index - 2 : index - 1);

    private static bool StartsWithWordChar(string text, int index) => index < text.Length && IsWordChar(text, index);

    /// <summary>Rust's char::is_alphanumeric.</summary>
    private static bool IsWordChar(string text, int index)
    {
        var rune = System.Text.Rune.GetRuneAt(text, index);
        return System.Text.Rune.IsLetter(rune) || System.Text.Rune.IsNumber(rune);
    }

    private static int TrailingWhitespaceStart(string text, int end)
    {
        var start = end;
        while (start > 0 && char.IsWhiteSpace(text[start - 1])) start--;
        return start;
    }

    private static int LeadingWhitespaceEnd(string text, int start)
    {
        var end = start;
        while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
        return end;
    }
}
