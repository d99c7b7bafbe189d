namespace LocalFineTune.Templating.Syntax;

/// <summary>A node of the template body.</summary>
public abstract record Node(int Line);

public sealed record TextNode(string Text, int Line) : Node(Line);

public sealed record OutputNode(Expr Value, int Line) : Node(Line);

/// <summary>{% for a, b in items if cond %}…{% else %}…{% endfor %}</summary>
public sealed record ForNode(IReadOnlyList<string> Targets, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body,
    IReadOnlyList<Node> Else, int Line) : Node(Line);

public sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node> Else, int Line) : Node(Line);

/// <summary>{% set a = … %}, {% set a, b = … %} or {% set ns.attr = … %} (Attribute is then the namespace's field).</summary>
public sealed record SetNode(IReadOnlyList<string> Targets, string? Attribute, Expr Value, int Line) : Node(Line);

/// <summary>{% set name %}…{% endset %}: the rendered body becomes the variable.</summary>
public sealed record SetBlockNode(string Target, IReadOnlyList<Node> Body, int Line) : Node(Line);

public sealed record MacroNode(string Name, IReadOnlyList<(string Name, Expr? Default)> Parameters, IReadOnlyList<Node> Body, int Line) : Node(Line);

public sealed record BreakNode(int Line) : Node(Line);

public sealed record ContinueNode(int Line) : Node(Line);

/// <summary>{% generation %}…{% endgeneration %}: transformers' marker of assistant text the loss covers.</summary>
public sealed record GenerationNode(IReadOnlyList<Node> Body, int Line) : Node(Line);

/// <summary>{% filter name %}…{% endfilter %}</summary>
public sealed record FilterBlockNode(string Filter, Arguments Args, IReadOnlyList<Node> Body, int Line) : Node(Line);
