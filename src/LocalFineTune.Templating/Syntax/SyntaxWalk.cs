namespace LocalFineTune.Templating.Syntax;

/// <summary>Questions about a whole node tree.</summary>
internal static class SyntaxWalk
{
    public static bool Any(IReadOnlyList<Node> nodes, Func<Node, bool> predicate) =>
        nodes.Any(node => predicate(node) || Children(node).Any(body => Any(body, predicate)));

    private static IEnumerable<IReadOnlyList<Node>> Children(Node node) => node switch
    {
        ForNode loop => [loop.Body, loop.Else],
        IfNode branch => [.. branch.Branches.Select(b => b.Body), branch.Else],
        SetBlockNode set => [set.Body],
        MacroNode macro => [macro.Body],
        GenerationNode generation => [generation.Body],
        FilterBlockNode filter => [filter.Body],
        _ => [],
    };
}
