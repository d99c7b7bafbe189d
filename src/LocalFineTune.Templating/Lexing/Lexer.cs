using System.Text;

namespace LocalFineTune.Templating.Lexing;

/// <summary>
/// Splits a template into text and tag tokens with Jinja's whitespace rules as transformers configures them:
/// trim_blocks (the first newline after a block or comment tag is dropped), lstrip_blocks (spaces and tabs before a
/// block or comment tag that starts a line are dropped), "-" on a tag side strips all whitespace on that side, "+"
/// turns the automatic rule off for that side, and one trailing newline of the template is dropped
/// (keep_trailing_newline=False).
/// </summary>
public sealed class Lexer
{
    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private readonly bool _trimBlocks;
    private readonly bool _lstripBlocks;
    private int _position;
    private int _line = 1;

    private Lexer(string source, bool trimBlocks, bool lstripBlocks)
    {
        _source = source.EndsWith("\r\n", StringComparison.Ordinal) ? source[..^2]
            : source.EndsWith('\n') ? source[..^1] : source;
        (_trimBlocks, _lstripBlocks) = (trimBlocks, lstripBlocks);
    }

    public static IReadOnlyList<Token> Tokenize(string source, bool trimBlocks = true, bool lstripBlocks = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var lexer = new Lexer(source, trimBlocks, lstripBlocks);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        var text = new StringBuilder();
        while (_position < _source.Length)
        {
            var start = FindTagStart(_position);
            if (start < 0)
            {
                text.Append(_source, _position, _source.Length - _position);
                Advance(_source.Length - _position);
                break;
            }
            text.Append(_source, _position, start - _position);
            Advance(start - _position);
            var kind = _source[_position + 1];
            var modifier = _position + 2 < _source.Length ? _source[_position + 2] : '\0';
            if (modifier == '-') TrimEnd(text);
            else if (kind != '{' && modifier != '+' && _lstripBlocks) StripLineIndent(text);
            FlushText(text);
            Advance(modifier is '-' or '+' ? 3 : 2);
            if (kind == '#') SkipComment();
            else if (kind == '%') LexTag(TokenKind.BlockBegin, TokenKind.BlockEnd, '%');
            else LexTag(TokenKind.VariableBegin, TokenKind.VariableEnd, '}');
        }
        FlushText(text);
        _tokens.Add(new Token(TokenKind.End, "", _line));
    }

    private int FindTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
            if (_source[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    private void FlushText(StringBuilder text)
    {
        if (text.Length > 0) _tokens.Add(new Token(TokenKind.Text, text.ToString(), _line));
        text.Clear();
    }

    private static void TrimEnd(StringBuilder text)
    {
        var end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1])) end--;
        text.Length = end;
    }

    /// <summary>lstrip_blocks: only when nothing but spaces and tabs stands between the line start and the tag.</summary>
    private static void StripLineIndent(StringBuilder text)
    {
        var i = text.Length;
        while (i > 0 && text[i - 1] is ' ' or '\t') i--;
        if (i == 0 || text[i - 1] == '\n') text.Length = i;
    }

    private void SkipComment()
    {
        var end = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (end < 0) throw new TemplateSyntaxException("a comment '{#' is never closed with '#}'", _line);
        var strip = end > _position && _source[end - 1] == '-';
        var keep = end > _position && _source[end - 1] == '+';
        Advance(end + 2 - _position);
        AfterTagEnd(strip, trimNewline: !keep && _trimBlocks);
    }

    private void AfterTagEnd(bool stripWhitespace, bool trimNewline)
    {
        if (stripWhitespace)
        {
            while (_position < _source.Length && char.IsWhiteSpace(_source[_position])) Advance(1);
        }
        else if (trimNewline)
        {
            if (At("\r\n")) Advance(2);
            else if (At("\n")) Advance(1);
        }
    }

    private void LexTag(TokenKind begin, TokenKind end, char closer)
    {
        var tagLine = _line;
        var beginIndex = _tokens.Count;
        _tokens.Add(new Token(begin, "", tagLine));
        var depth = 0;
        while (true)
        {
            SkipSpaces();
            if (_position >= _source.Length)
                throw new TemplateSyntaxException($"a tag opened here is never closed with '{closer}}}'", tagLine);
            if (depth == 0 && TryTagEnd(closer, out var strip, out var keep))
            {
                _tokens.Add(new Token(end, "", _line));
                AfterTagEnd(strip, trimNewline: end == TokenKind.BlockEnd && !keep && _trimBlocks);
                if (end == TokenKind.BlockEnd && IsRawTag(beginIndex)) LexRawBody(tagLine);
                return;
            }
            var tokenStart = _position;
            var token = ExpressionTokens.Next(_source, ref _position, _line);
            for (var i = tokenStart; i < _position; i++) if (_source[i] == '\n') _line++;
            if (token.Kind == TokenKind.Operator)
            {
                if (token.Value is "(" or "[" or "{") depth++;
                else if (token.Value is ")" or "]" or "}") depth = Math.Max(0, depth - 1);
            }
            _tokens.Add(token);
        }
    }

    private bool TryTagEnd(char closer, out bool strip, out bool keep)
    {
        strip = At("-" + closer + "}");
        keep = At("+" + closer + "}");
        if (strip || keep) { Advance(3); return true; }
        if (At(closer + "}")) { Advance(2); return true; }
        return false;
    }

    private bool IsRawTag(int beginIndex) =>
        _tokens.Count == beginIndex + 3 && _tokens[beginIndex + 1].Is(TokenKind.Name, "raw");

    /// <summary>{% raw %}…{% endraw %}: the body is text, tags in it are not interpreted.</summary>
    private void LexRawBody(int tagLine)
    {
        _tokens.RemoveRange(_tokens.Count - 3, 3);
        var match = System.Text.RegularExpressions.Regex.Match(_source[_position..], @"\{%(-?)\s*endraw\s*(-?)%\}");
        if (!match.Success) throw new TemplateSyntaxException("'{% raw %}' is never closed with '{% endraw %}'", tagLine);
        var body = _source.Substring(_position, match.Index);
        if (match.Groups[1].Value == "-") body = body.TrimEnd();
        if (body.Length > 0) _tokens.Add(new Token(TokenKind.Text, body, _line));
        Advance(match.Index + match.Length);
        AfterTagEnd(match.Groups[2].Value == "-", _trimBlocks);
    }

    private void SkipSpaces()
    {
        while (_position < _source.Length && char.IsWhiteSpace(_source[_position])) Advance(1);
    }

    private bool At(string s) => string.CompareOrdinal(_source, _position, s, 0, s.Length) == 0;

    private void Advance(int count)
    {
        for (var i = 0; i < count; i++) if (_source[_position + i] == '\n') _line++;
        _position += count;
    }
}
