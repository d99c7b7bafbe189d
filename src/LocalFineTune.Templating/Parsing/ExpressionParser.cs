using System.Globalization;
using LocalFineTune.Templating.Lexing;
using LocalFineTune.Templating.Syntax;

namespace LocalFineTune.Templating.Parsing;

/// <summary>
/// Jinja's expression grammar, loosest first: conditional (a if c else b), or, and, not, comparisons and "in",
/// + and -, "~", * / // %, **, unary minus, then primaries with .attr, [key], [a:b:c], calls, "|filter" and "is test".
/// </summary>
internal sealed class ExpressionParser(TokenReader reader)
{
    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", "<=", ">", ">="];

    public Expr Parse(bool allowConditional = true)
    {
        using var _ = reader.Nest();
        var line = reader.Current.Line;
        var value = ParseOr();
        if (!allowConditional || !reader.AcceptName("if")) return value;
        var condition = ParseOr();
        var otherwise = reader.AcceptName("else") ? Parse() : null;
        return new ConditionalExpr(condition, value, otherwise, line);
    }

    /// <summary>One expression, or several separated by commas (a tuple, evaluated as a list).</summary>
    public Expr ParseTupleOrExpression()
    {
        var line = reader.Current.Line;
        var first = Parse();
        if (!reader.IsOperator(",")) return first;
        var items = new List<Expr> { first };
        while (reader.AcceptOperator(",") && !EndsTuple()) items.Add(Parse());
        return new ListExpr(items, line);
    }

    private bool EndsTuple() => reader.Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd || reader.IsOperator(")");

    private Expr ParseOr() => Binary(ParseAnd, "or");

    private Expr ParseAnd() => Binary(ParseNot, "and");

    private Expr Binary(Func<Expr> operand, string keyword)
    {
        var left = operand();
        while (reader.IsName(keyword))
        {
            var line = reader.Take().Line;
            left = new BinaryExpr(keyword, left, operand(), line);
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (!reader.IsName("not")) return ParseCompare();
        using var _ = reader.Nest();
        var line = reader.Take().Line;
        return new UnaryExpr("not", ParseNot(), line);
    }

    private Expr ParseCompare()
    {
        var left = ParseMath1();
        while (true)
        {
            var line = reader.Current.Line;
            if (reader.Current.Kind == TokenKind.Operator && Comparisons.Contains(reader.Current.Value))
                left = new BinaryExpr(reader.Take().Value, left, ParseMath1(), line);
            else if (reader.AcceptName("in")) left = new BinaryExpr("in", left, ParseMath1(), line);
            else if (reader.IsName("not") && reader.Peek().Is(TokenKind.Name, "in"))
            {
                reader.Take();
                reader.Take();
                left = new BinaryExpr("not in", left, ParseMath1(), line);
            }
            else return left;
        }
    }

    private Expr ParseMath1() => Operators(ParseConcat, "+", "-");

    private Expr ParseConcat() => Operators(ParseMath2, "~");

    private Expr ParseMath2() => Operators(ParsePow, "*", "/", "//", "%");

    private Expr ParsePow() => Operators(ParseUnary, "**");

    private Expr Operators(Func<Expr> operand, params string[] ops)
    {
        var left = operand();
        while (reader.Current.Kind == TokenKind.Operator && ops.Contains(reader.Current.Value))
        {
            var token = reader.Take();
            left = new BinaryExpr(token.Value, left, operand(), token.Line);
        }
        return left;
    }

    private Expr ParseUnary()
    {
        if (reader.IsOperator("-") || reader.IsOperator("+"))
        {
            using var _ = reader.Nest();
            var token = reader.Take();
            return new UnaryExpr(token.Value, ParseUnary(), token.Line);
        }
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private Expr ParsePrimary()
    {
        var token = reader.Take();
        switch (token.Kind)
        {
            case TokenKind.String:
                var text = token.Value;
                // Adjacent string literals concatenate, as in Python.
                while (reader.Current.Kind == TokenKind.String) text += reader.Take().Value;
                return new LiteralExpr(text, token.Line);
            case TokenKind.Integer:
                return new LiteralExpr(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Float:
                return new LiteralExpr(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Line),
                    "false" or "False" => new LiteralExpr(false, token.Line),
                    "none" or "None" => new LiteralExpr(null, token.Line),
                    _ => new NameExpr(token.Value, token.Line),
                };
            case TokenKind.Operator when token.Value == "(":
                if (reader.AcceptOperator(")")) return new ListExpr([], token.Line);
                var inner = ParseTupleOrExpression();
                reader.ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                return new ListExpr(Sequence("]"), token.Line);
            case TokenKind.Operator when token.Value == "{":
                return ParseDict(token.Line);
            default:
                throw new TemplateSyntaxException($"expected a value but found {token}", token.Line);
        }
    }

    private List<Expr> Sequence(string closer)
    {
        var items = new List<Expr>();
        while (!reader.AcceptOperator(closer))
        {
            if (items.Count > 0) reader.ExpectOperator(",");
            if (reader.AcceptOperator(closer)) break;
            items.Add(Parse());
        }
        return items;
    }

    private DictExpr ParseDict(int line)
    {
        var pairs = new List<(Expr, Expr)>();
        while (!reader.AcceptOperator("}"))
        {
            if (pairs.Count > 0) reader.ExpectOperator(",");
            if (reader.AcceptOperator("}")) break;
            var key = Parse();
            reader.ExpectOperator(":");
            pairs.Add((key, Parse()));
        }
        return new DictExpr(pairs, line);
    }

    private Expr ParsePostfix(Expr target)
    {
        while (true)
        {
            var line = reader.Current.Line;
            if (reader.AcceptOperator("."))
                target = new AttributeExpr(target, reader.Current.Kind == TokenKind.Integer ? reader.Take().Value : reader.ExpectName("an attribute name after '.'"), line);
            else if (reader.AcceptOperator("[")) target = ParseSubscript(target, line);
            else if (reader.AcceptOperator("(")) target = new CallExpr(target, ParseArguments(), line);
            else return target;
        }
    }

    private Expr ParseSubscript(Expr target, int line)
    {
        Expr? start = reader.IsOperator(":") ? null : Parse();
        if (start is not null && reader.AcceptOperator("]")) return new ItemExpr(target, start, line);
        reader.ExpectOperator(":");
        Expr? stop = reader.IsOperator(":") || reader.IsOperator("]") ? null : Parse();
        Expr? step = null;
        if (reader.AcceptOperator(":") && !reader.IsOperator("]")) step = Parse();
        reader.ExpectOperator("]");
        return new SliceExpr(target, start, stop, step, line);
    }

    /// <summary>After "(": positional then name=value arguments up to ")".</summary>
    public Arguments ParseArguments()
    {
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!reader.AcceptOperator(")"))
        {
            if (positional.Count + named.Count > 0) reader.ExpectOperator(",");
            if (reader.AcceptOperator(")")) break;
            if (reader.Current.Kind == TokenKind.Name && reader.Peek().Is(TokenKind.Operator, "="))
            {
                var name = reader.Take().Value;
                reader.Take();
                named.Add((name, Parse()));
            }
            else if (named.Count > 0) throw new TemplateSyntaxException("a positional argument follows a keyword argument", reader.Current.Line);
            else positional.Add(Parse());
        }
        return new Arguments(positional, named);
    }

    private Expr ParseFilters(Expr target)
    {
        while (true)
        {
            var line = reader.Current.Line;
            if (reader.AcceptOperator("|"))
            {
                var name = QualifiedName("a filter name after '|'");
                if (!Runtime.Filters.Exists(name)) throw new TemplateSyntaxException($"unknown filter '{name}' (this chat-template engine does not implement it)", line);
                target = new FilterExpr(target, name, reader.AcceptOperator("(") ? ParseArguments() : Arguments.None, line);
            }
            else if (reader.AcceptName("is")) target = ParseTest(target, line);
            else return target;
        }
    }

    private string QualifiedName(string what)
    {
        var name = reader.ExpectName(what);
        while (reader.AcceptOperator(".")) name += "." + reader.ExpectName(what);
        return name;
    }

    private Expr ParseTest(Expr target, int line)
    {
        var negated = reader.AcceptName("not");
        var name = reader.Current.Kind == TokenKind.Name ? reader.Take().Value
            : reader.Current.Kind == TokenKind.Operator && Comparisons.Contains(reader.Current.Value) ? reader.Take().Value
            : throw reader.Unexpected("a test name after 'is'");
        if (name is "none" or "true" or "false" or "None" or "True" or "False") name = name.ToLowerInvariant();
        if (!Runtime.Tests.Exists(name)) throw new TemplateSyntaxException($"unknown test '{name}' (this chat-template engine does not implement it)", line);
        Arguments args;
        if (reader.AcceptOperator("(")) args = ParseArguments();
        else if (StartsTestArgument()) args = new Arguments([ParsePostfix(ParsePrimary())], []);
        else args = Arguments.None;
        return new TestExpr(target, name, args, negated, line);
    }

    /// <summary>"x is divisibleby 3" and "x is sameas none": a test may take one argument without parentheses.</summary>
    private bool StartsTestArgument()
    {
        var token = reader.Current;
        if (token.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float) return true;
        if (token.Kind == TokenKind.Operator) return token.Value is "[" or "{";
        return token.Kind == TokenKind.Name && token.Value is not ("and" or "or" or "else" or "if" or "in" or "not" or "is");
    }
}
