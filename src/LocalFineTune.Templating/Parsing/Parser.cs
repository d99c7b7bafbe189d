using LocalFineTune.Templating.Lexing;
using LocalFineTune.Templating.Syntax;

namespace LocalFineTune.Templating.Parsing;

/// <summary>Builds the node tree from tokens: text, {{ output }}, and the block tags chat templates use.</summary>
internal sealed class Parser
{
    private static readonly HashSet<string> KnownUnsupported = ["extends", "block", "include", "import", "from", "call", "with", "do", "autoescape", "trans"];

    private readonly TokenReader _reader;
    private readonly ExpressionParser _expressions;

    private Parser(IReadOnlyList<Token> tokens)
    {
        _reader = new TokenReader(tokens);
        _expressions = new ExpressionParser(_reader);
    }

    public static IReadOnlyList<Node> Parse(IReadOnlyList<Token> tokens)
    {
        var parser = new Parser(tokens);
        var body = parser.ParseBody([], out var endTag);
        if (endTag is not null) throw new TemplateSyntaxException($"'{{% {endTag} %}}' has no matching opening tag", parser._reader.Current.Line);
        return body;
    }

    /// <summary>Parses nodes until one of the end tags (left after its name) or the end of the template.</summary>
    private List<Node> ParseBody(IReadOnlyCollection<string> endTags, out string? endTag)
    {
        using var _ = _reader.Nest();
        var nodes = new List<Node>();
        while (!_reader.AtEnd)
        {
            var token = _reader.Take();
            if (token.Kind == TokenKind.Text) { nodes.Add(new TextNode(token.Value, token.Line)); continue; }
            if (token.Kind == TokenKind.VariableBegin)
            {
                nodes.Add(new OutputNode(_expressions.ParseTupleOrExpression(), token.Line));
                _reader.Expect(TokenKind.VariableEnd, "'}}'");
                continue;
            }
            var name = _reader.ExpectName("a tag name after '{%'");
            if (endTags.Contains(name) || name.StartsWith("end", StringComparison.Ordinal) || name is "elif" or "else")
            {
                if (!endTags.Contains(name)) throw new TemplateSyntaxException($"unexpected '{{% {name} %}}' here", token.Line);
                endTag = name;
                return nodes;
            }
            nodes.Add(ParseTag(name, token.Line));
        }
        if (endTags.Count > 0)
            throw new TemplateSyntaxException($"the template ended before '{{% {endTags.First()} %}}' closed an open tag", _reader.Current.Line);
        endTag = null;
        return nodes;
    }

    private Node ParseTag(string name, int line) => name switch
    {
        "for" => ParseFor(line),
        "if" => ParseIf(line),
        "set" => ParseSet(line),
        "macro" => ParseMacro(line),
        "break" => EndTag(new BreakNode(line)),
        "continue" => EndTag(new ContinueNode(line)),
        "generation" => ParseGeneration(line),
        "filter" => ParseFilterBlock(line),
        _ when KnownUnsupported.Contains(name) => throw new TemplateSyntaxException($"the tag '{{% {name} %}}' is not supported by this chat-template engine", line),
        _ => throw new TemplateSyntaxException($"unknown tag '{{% {name} %}}'", line),
    };

    private T EndTag<T>(T node)
    {
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        return node;
    }

    private ForNode ParseFor(int line)
    {
        var targets = new List<string> { _reader.ExpectName("a loop variable after 'for'") };
        while (_reader.AcceptOperator(",")) targets.Add(_reader.ExpectName("a loop variable after ','"));
        if (!_reader.AcceptName("in")) throw _reader.Unexpected("'in'");
        var iterable = _expressions.Parse(allowConditional: false);
        var filter = _reader.AcceptName("if") ? _expressions.Parse(allowConditional: false) : null;
        if (_reader.IsName("recursive")) throw new TemplateSyntaxException("recursive for loops are not supported by this chat-template engine", line);
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(["endfor", "else"], out var end);
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        IReadOnlyList<Node> otherwise = [];
        if (end == "else")
        {
            otherwise = ParseBody(["endfor"], out _);
            _reader.Expect(TokenKind.BlockEnd, "'%}'");
        }
        return new ForNode(targets, iterable, filter, body, otherwise, line);
    }

    private IfNode ParseIf(int line)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        IReadOnlyList<Node> otherwise = [];
        var condition = _expressions.Parse();
        while (true)
        {
            _reader.Expect(TokenKind.BlockEnd, "'%}'");
            var body = ParseBody(["elif", "else", "endif"], out var end);
            branches.Add((condition, body));
            if (end == "elif") { condition = _expressions.Parse(); continue; }
            _reader.Expect(TokenKind.BlockEnd, "'%}'");
            if (end == "else")
            {
                otherwise = ParseBody(["endif"], out _);
                _reader.Expect(TokenKind.BlockEnd, "'%}'");
            }
            return new IfNode(branches, otherwise, line);
        }
    }

    private Node ParseSet(int line)
    {
        var first = _reader.ExpectName("a variable name after 'set'");
        if (_reader.AcceptOperator("."))
        {
            var attribute = _reader.ExpectName("an attribute name");
            _reader.ExpectOperator("=");
            return EndTag(new SetNode([first], attribute, _expressions.ParseTupleOrExpression(), line));
        }
        var targets = new List<string> { first };
        while (_reader.AcceptOperator(",")) targets.Add(_reader.ExpectName("a variable name after ','"));
        if (_reader.AcceptOperator("=")) return EndTag(new SetNode(targets, null, _expressions.ParseTupleOrExpression(), line));
        if (targets.Count > 1) throw _reader.Unexpected("'='");
        _reader.Expect(TokenKind.BlockEnd, "'=' or '%}'");
        var body = ParseBody(["endset"], out _);
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        return new SetBlockNode(first, body, line);
    }

    private MacroNode ParseMacro(int line)
    {
        var name = _reader.ExpectName("a macro name");
        _reader.ExpectOperator("(");
        var parameters = new List<(string, Expr?)>();
        while (!_reader.AcceptOperator(")"))
        {
            if (parameters.Count > 0) _reader.ExpectOperator(",");
            if (_reader.AcceptOperator(")")) break;
            var parameter = _reader.ExpectName("a parameter name");
            parameters.Add((parameter, _reader.AcceptOperator("=") ? _expressions.Parse() : null));
        }
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(["endmacro"], out _);
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        return new MacroNode(name, parameters, body, line);
    }

    private GenerationNode ParseGeneration(int line)
    {
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(["endgeneration"], out _);
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        return new GenerationNode(body, line);
    }

    private FilterBlockNode ParseFilterBlock(int line)
    {
        var filter = _reader.ExpectName("a filter name");
        if (!Runtime.Filters.Exists(filter)) throw new TemplateSyntaxException($"unknown filter '{filter}' (this chat-template engine does not implement it)", line);
        var args = _reader.AcceptOperator("(") ? _expressions.ParseArguments() : Arguments.None;
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(["endfilter"], out _);
        _reader.Expect(TokenKind.BlockEnd, "'%}'");
        return new FilterBlockNode(filter, args, body, line);
    }
}
