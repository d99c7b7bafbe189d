using System.Text;

namespace LocalFineTune.Tokenizers.Pipeline;

/// <summary>
/// Rewrites the few Oniguruma constructs real tokenizer patterns use that .NET lacks.
/// </summary>
/// <remarks>
/// Possessive quantifiers (X?+, X*+, X++) are atomic groups in .NET: (?>X?). They appear in the
/// GPT-4o / Qwen-2.5-VL style patterns. Everything else used by GPT-2, Llama-3 and Qwen
/// (\p{L}, \p{N}, (?i:...), (?!...)) means the same in both engines.
/// </remarks>
internal static class OnigurumaSyntax
{
    public static string ToDotNet(string pattern)
    {
        if (!HasPossessive(pattern)) return pattern;
        var atoms = new List<string>();
        var output = new StringBuilder();
        for (var i = 0; i < pattern.Length;)
        {
            var atomStart = i;
            i = SkipAtom(pattern, i);
            var atom = pattern[atomStart..i];
            var quantifierStart = i;
            if (i < pattern.Length && pattern[i] is '?' or '*' or '+') i++;
            else if (i < pattern.Length && pattern[i] == '{') i = pattern.IndexOf('}', i) + 1;
            var quantifier = pattern[quantifierStart..i];
            if (quantifier.Length > 0 && i < pattern.Length && pattern[i] == '+')
            {
                output.Append("(?>").Append(atom).Append(quantifier).Append(')');
                i++;
            }
            else output.Append(atom).Append(quantifier);
        }
        return output.ToString();
    }

    private static bool HasPossessive(string pattern)
    {
        for (var i = 1; i < pattern.Length; i++)
            if (pattern[i] == '+' && pattern[i - 1] is '?' or '*' or '+' or '}' && !IsEscaped(pattern, i - 1))
                return true;
        return false;
    }

    private static bool IsEscaped(string pattern, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i >= 0 && pattern[i] == '\\'; i--) backslashes++;
        return backslashes % 2 == 1;
    }

    /// <summary>Index just after the atom at i: a class [...], a group (...), an escape, or one char.</summary>
    private static int SkipAtom(string pattern, int i)
    {
        switch (pattern[i])
        {
            case '\\':
                if (i + 1 < pattern.Length && pattern[i + 1] is 'p' or 'P' && i + 2 < pattern.Length && pattern[i + 2] == '{')
                    return pattern.IndexOf('}', i) + 1;
                return Math.Min(i + 2, pattern.Length);
            case '[':
                for (var j = i + 1; j < pattern.Length; j++)
                {
                    if (pattern[j] == '\\') { j++; continue; }
                    if (pattern[j] == ']' && j > i + 1) return j + 1;
                }
                return pattern.Length;
            case '(':
                var depth = 0;
                for (var j = i; j < pattern.Length; j++)
                {
                    if (pattern[j] == '\\') { j++; continue; }
                    if (pattern[j] == '[') { j = SkipAtom(pattern, j) - 1; continue; }
                    if (pattern[j] == '(') depth++;
                    else if (pattern[j] == ')' && --depth == 0) return j + 1;
                }
                return pattern.Length;
            default:
                return i + 1;
        }
    }
}
