using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LocalFineTune.Tokenizers.Pipeline;

/// <summary>
/// A .NET Regex that matches like Oniguruma (the engine HF tokenizers uses) on text outside the BMP.
/// </summary>
/// <remarks>
/// .NET regexes see UTF-16 code units, so "\p{L}" never matches a letter written as a surrogate pair
/// and "[^\p{L}]?" can swallow half an emoji; Oniguruma sees code points. When a span contains
/// surrogates we match on a shadow string where each such code point becomes one BMP character of
/// the same Unicode category, then map the match boundaries back.
/// </remarks>
internal sealed class UnicodeRegex
{
    private readonly Regex _regex;

    public UnicodeRegex(string pattern, bool isRegex)
    {
        var dotnetPattern = isRegex ? OnigurumaSyntax.ToDotNet(pattern) : Regex.Escape(pattern);
        try
        {
            _regex = new Regex(dotnetPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException error)
        {
            throw new NotSupportedException($"The tokenizer regex '{pattern}' cannot be compiled by .NET ({error.Message}). " +
                "Rewrite it without Oniguruma-only syntax.", error);
        }
    }

    public string Pattern => _regex.ToString();

    /// <summary>Appends (start, length) of each match in text, relative to the span.</summary>
    public void Matches(ReadOnlySpan<char> text, List<(int Start, int Length)> matches)
    {
        matches.Clear();
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var match in _regex.EnumerateMatches(text))
                matches.Add((match.Index, match.Length));
            return;
        }
        MatchesOutsideBmp(text, matches);
    }

    public string Replace(string text, string replacement)
    {
        var matches = new List<(int Start, int Length)>();
        Matches(text, matches);
        if (matches.Count == 0) return text;
        var builder = new StringBuilder(text.Length);
        var position = 0;
        foreach (var (start, length) in matches)
        {
            builder.Append(text, position, start - position).Append(replacement);
            position = start + length;
        }
        return builder.Append(text, position, text.Length - position).ToString();
    }

    private void MatchesOutsideBmp(ReadOnlySpan<char> text, List<(int Start, int Length)> matches)
    {
        // shadowToText[i] = index in text of shadow char i; one extra entry for the end.
        var shadow = new StringBuilder(text.Length);
        var shadowToText = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            shadowToText.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                shadow.Append(RepresentativeOf(char.ConvertToUtf32(text[i], text[i + 1])));
                i++;
            }
            else shadow.Append(text[i]);
        }
        shadowToText.Add(text.Length);
        foreach (var match in _regex.EnumerateMatches(shadow.ToString()))
        {
            var start = shadowToText[match.Index];
            matches.Add((start, shadowToText[match.Index + match.Length] - start));
        }
    }

    /// <summary>A BMP character with the same general category, so category classes match alike.</summary>
    private static char RepresentativeOf(int codePoint) => CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
    {
        UnicodeCategory.UppercaseLetter => 'A',
        UnicodeCategory.LowercaseLetter => 'a',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u05D0',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00A1',
        UnicodeCategory.MathSymbol => '\u00B1',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u00A8',
        UnicodeCategory.OtherSymbol => '\u00A9',
        UnicodeCategory.Format => '\u200B',
        UnicodeCategory.PrivateUse => '\uE000',
        _ => '\u0378', // unassigned
    };
}
