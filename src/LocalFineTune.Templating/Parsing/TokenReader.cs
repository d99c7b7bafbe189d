using LocalFineTune.Templating.Lexing;

namespace LocalFineTune.Templating.Parsing;

/// <summary>A cursor over the token list with the expect/accept helpers both parsers use.</summary>
internal sealed class TokenReader(IReadOnlyList<Token> tokens)
{
    /// <summary>Nesting deeper than this is refused: it protects the parser's stack from hostile templates.</summary>
    public const int MaxNesting = 200;

    private int _index;
    private int _depth;

    public Token Current => tokens[_index];
    public Token Peek(int ahead = 1) => tokens[Math.Min(_index + ahead, tokens.Count - 1)];
    public bool AtEnd => Current.Kind == TokenKind.End;

    public Token Take()
    {
        var token = Current;
        if (!AtEnd) _index++;
        return token;
    }

    public bool IsOperator(string op) => Current.Is(TokenKind.Operator, op);
    public bool IsName(string name) => Current.Is(TokenKind.Name, name);

    public bool Accept(TokenKind kind, string value)
    {
        if (!Current.Is(kind, value)) return false;
        Take();
        return true;
    }

    public bool AcceptOperator(string op) => Accept(TokenKind.Operator, op);
    public bool AcceptName(string name) => Accept(TokenKind.Name, name);

    public Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind) throw Unexpected(what);
        return Take();
    }

    public void ExpectOperator(string op)
    {
        if (!AcceptOperator(op)) throw Unexpected($"'{op}'");
    }

    public string ExpectName(string what) => Expect(TokenKind.Name, what).Value;

    public TemplateSyntaxException Unexpected(string expected) =>
        new($"expected {expected} but found {Current}", Current.Line);

    /// <summary>Counts one level of nesting for the caller's scope; dispose to leave it.</summary>
    public NestingScope Nest()
    {
        if (++_depth > MaxNesting)
            throw new TemplateSyntaxException($"the template nests deeper than {MaxNesting} levels", Current.Line);
        return new NestingScope(this);
    }

    public readonly struct NestingScope(TokenReader reader) : IDisposable
    {
        public void Dispose() => reader._depth--;
    }
}
