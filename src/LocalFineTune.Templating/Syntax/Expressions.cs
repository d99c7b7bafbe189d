namespace LocalFineTune.Templating.Syntax;

/// <summary>An expression inside {{ }} or a tag. Line is the template line, for error messages.</summary>
public abstract record Expr(int Line);

public sealed record LiteralExpr(object? Value, int Line) : Expr(Line);

public sealed record NameExpr(string Name, int Line) : Expr(Line);

public sealed record ListExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

public sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Pairs, int Line) : Expr(Line);

public sealed record AttributeExpr(Expr Target, string Name, int Line) : Expr(Line);

public sealed record ItemExpr(Expr Target, Expr Key, int Line) : Expr(Line);

public sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);

/// <summary>Positional and keyword arguments of a call, a filter or a test.</summary>
public sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Named)
{
    public static readonly Arguments None = new([], []);
}

public sealed record CallExpr(Expr Callee, Arguments Args, int Line) : Expr(Line);

public sealed record FilterExpr(Expr Target, string Name, Arguments Args, int Line) : Expr(Line);

public sealed record TestExpr(Expr Target, string Name, Arguments Args, bool Negated, int Line) : Expr(Line);

public sealed record UnaryExpr(string Operator, Expr Operand, int Line) : Expr(Line);

/// <summary>Arithmetic, comparison, "in"/"not in", "and"/"or" and "~".</summary>
public sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Line) : Expr(Line);

public sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Else, int Line) : Expr(Line);
