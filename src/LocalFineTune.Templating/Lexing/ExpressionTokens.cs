using System.Globalization;
using System.Text;

namespace LocalFineTune.Templating.Lexing;

/// <summary>Reads one token inside a tag: a name, a number, a quoted string (Python escapes) or an operator.</summary>
internal static class ExpressionTokens
{
    private static readonly string[] Operators =
        ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    public static Token Next(string source, ref int position, int line)
    {
        var c = source[position];
        if (char.IsAsciiLetter(c) || c == '_') return Name(source, ref position, line);
        if (char.IsAsciiDigit(c)) return Number(source, ref position, line);
        if (c is '\'' or '"') return String(source, ref position, line);
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, position, op, 0, op.Length) != 0) continue;
            position += op.Length;
            return new Token(TokenKind.Operator, op, line);
        }
        throw new TemplateSyntaxException($"unexpected character '{c}' inside a tag", line);
    }

    private static Token Name(string source, ref int position, int line)
    {
        var start = position;
        while (position < source.Length && (char.IsAsciiLetterOrDigit(source[position]) || source[position] == '_')) position++;
        return new Token(TokenKind.Name, source[start..position], line);
    }

    private static Token Number(string source, ref int position, int line)
    {
        var start = position;
        SkipDigits(source, ref position);
        var isFloat = false;
        if (position + 1 < source.Length && source[position] == '.' && char.IsAsciiDigit(source[position + 1]))
        {
            isFloat = true;
            position++;
            SkipDigits(source, ref position);
        }
        if (position < source.Length && source[position] is 'e' or 'E')
        {
            var save = position++;
            if (position < source.Length && source[position] is '+' or '-') position++;
            if (position < source.Length && char.IsAsciiDigit(source[position])) { isFloat = true; SkipDigits(source, ref position); }
            else position = save;
        }
        var text = source[start..position].Replace("_", "");
        if (!isFloat && !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new TemplateSyntaxException($"the integer {text} is too large", line);
        return new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, line);
    }

    private static void SkipDigits(string source, ref int position)
    {
        while (position < source.Length && (char.IsAsciiDigit(source[position]) || source[position] == '_')) position++;
    }

    private static Token String(string source, ref int position, int line)
    {
        var quote = source[position++];
        var text = new StringBuilder();
        while (true)
        {
            if (position >= source.Length) throw new TemplateSyntaxException("a string literal is never closed", line);
            var c = source[position++];
            if (c == quote) return new Token(TokenKind.String, text.ToString(), line);
            if (c != '\\' || position >= source.Length) { text.Append(c); continue; }
            AppendEscape(source, ref position, text, line);
        }
    }

    /// <summary>Python's string escapes; an unknown escape keeps its backslash, as Python does.</summary>
    private static void AppendEscape(string source, ref int position, StringBuilder text, int line)
    {
        var e = source[position++];
        switch (e)
        {
            case 'n': text.Append('\n'); break;
            case 't': text.Append('\t'); break;
            case 'r': text.Append('\r'); break;
            case 'b': text.Append('\b'); break;
            case 'f': text.Append('\f'); break;
            case 'v': text.Append('\v'); break;
            case 'a': text.Append('\a'); break;
            case '0': text.Append('\0'); break;
            case '\\': case '\'': case '"': text.Append(e); break;
            case '\n': break;
            case 'x': text.Append(HexChar(source, ref position, 2, line)); break;
            case 'u': text.Append(HexChar(source, ref position, 4, line)); break;
            case 'U': text.Append(HexChar(source, ref position, 8, line)); break;
            default: text.Append('\\').Append(e); break;
        }
    }

    private static string HexChar(string source, ref int position, int digits, int line)
    {
        if (position + digits > source.Length || !int.TryParse(source.AsSpan(position, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
            || code > 0x10FFFF)
            throw new TemplateSyntaxException($"a \\x, \\u or \\U escape needs {digits} hex digits", line);
        position += digits;
        return char.ConvertFromUtf32(code);
    }
}
