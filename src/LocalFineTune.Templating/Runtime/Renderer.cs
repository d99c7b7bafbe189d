using LocalFineTune.Templating.Syntax;

namespace LocalFineTune.Templating.Runtime;

/// <summary>Walks the node tree and writes the output; one instance per render.</summary>
internal sealed class Renderer
{
    private enum Flow { Normal, Break, Continue }

    private readonly RenderBudget _budget;
    private readonly Evaluator _evaluator;

    public Renderer(RenderBudget budget)
    {
        _budget = budget;
        _evaluator = new Evaluator(budget, CallMacro);
    }

    public Output Render(IReadOnlyList<Node> nodes, Scope scope)
    {
        var output = new Output(_budget);
        if (RenderNodes(nodes, scope, output, inLoop: false) != Flow.Normal)
            throw new TemplateException("'{% break %}' or '{% continue %}' outside a for loop");
        return output;
    }

    private Flow RenderNodes(IReadOnlyList<Node> nodes, Scope scope, Output output, bool inLoop)
    {
        foreach (var node in nodes)
        {
            var flow = RenderNode(node, scope, output, inLoop);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    private Flow RenderNode(Node node, Scope scope, Output output, bool inLoop)
    {
        switch (node)
        {
            case TextNode text: output.Write(text.Text); break;
            case OutputNode value: output.Write(Values.ToStr(_evaluator.Evaluate(value.Value, scope))); break;
            case IfNode branch: return RenderIf(branch, scope, output, inLoop);
            case ForNode loop: RenderFor(loop, scope, output); break;
            case SetNode set: Assign(set, scope); break;
            case SetBlockNode block: scope.Set(block.Target, RenderToString(block.Body, scope)); break;
            case MacroNode macro: scope.Set(macro.Name, new Macro(macro, scope)); break;
            case BreakNode when inLoop: return Flow.Break;
            case ContinueNode when inLoop: return Flow.Continue;
            case BreakNode or ContinueNode: throw new TemplateException("'{% break %}' or '{% continue %}' outside a for loop", node.Line);
            case GenerationNode generation: return RenderGeneration(generation, scope, output, inLoop);
            case FilterBlockNode filter:
                var body = RenderToString(filter.Body, scope);
                output.Write(Values.ToStr(Filters.Apply(filter.Filter, body, _evaluator.Arguments(filter.Args, scope), _evaluator)));
                break;
            default: throw new TemplateException($"unsupported node {node.GetType().Name}", node.Line);
        }
        return Flow.Normal;
    }

    private Flow RenderIf(IfNode node, Scope scope, Output output, bool inLoop)
    {
        foreach (var (condition, body) in node.Branches)
            if (Values.IsTrue(_evaluator.Evaluate(condition, scope))) return RenderNodes(body, scope, output, inLoop);
        return RenderNodes(node.Else, scope, output, inLoop);
    }

    private void RenderFor(ForNode node, Scope scope, Output output)
    {
        var iterable = _evaluator.Evaluate(node.Iterable, scope);
        if (iterable is Undefined u && node.Iterable is not NameExpr) throw u.Error(" (looping over it)");
        var items = Values.Iterate(iterable);
        if (node.Filter is not null)
            items = items.Where(item => { _budget.Iteration(); var s = new Scope(scope); Bind(node, s, item); return Values.IsTrue(_evaluator.Evaluate(node.Filter, s)); }).ToList();
        if (items.Count == 0)
        {
            RenderNodes(node.Else, scope, output, inLoop: false);
            return;
        }
        var loop = new LoopInfo(items);
        for (var i = 0; i < items.Count; i++)
        {
            _budget.Iteration();
            loop.Index0 = i;
            var iteration = new Scope(scope);
            iteration.Set("loop", loop);
            Bind(node, iteration, items[i]);
            if (RenderNodes(node.Body, iteration, output, inLoop: true) == Flow.Break) break;
        }
    }

    private static void Bind(ForNode node, Scope scope, object? item)
    {
        if (node.Targets.Count == 1) { scope.Set(node.Targets[0], item); return; }
        var parts = item as List<object?> ?? throw new TemplateException($"cannot unpack {Values.TypeName(item)} into {node.Targets.Count} loop variables", node.Line);
        if (parts.Count != node.Targets.Count) throw new TemplateException($"cannot unpack {parts.Count} values into {node.Targets.Count} loop variables", node.Line);
        for (var i = 0; i < parts.Count; i++) scope.Set(node.Targets[i], parts[i]);
    }

    private void Assign(SetNode node, Scope scope)
    {
        var value = _evaluator.Evaluate(node.Value, scope);
        if (node.Attribute is not null)
        {
            if (scope.Lookup(node.Targets[0]) is not JinjaNamespace ns)
                throw new TemplateException($"'{{% set {node.Targets[0]}.{node.Attribute} = … %}}' needs {node.Targets[0]} to be a namespace(); only namespaces can be changed this way", node.Line);
            ns.Fields[node.Attribute] = value;
            return;
        }
        if (node.Targets.Count == 1) { scope.Set(node.Targets[0], value); return; }
        var parts = value as List<object?>;
        if (parts is null || parts.Count != node.Targets.Count)
            throw new TemplateException($"cannot unpack {Values.TypeName(value)} into {node.Targets.Count} variables", node.Line);
        for (var i = 0; i < parts.Count; i++) scope.Set(node.Targets[i], parts[i]);
    }

    private Flow RenderGeneration(GenerationNode node, Scope scope, Output output, bool inLoop)
    {
        var start = output.Length;
        var flow = RenderNodes(node.Body, scope, output, inLoop);
        if (output.Length > start) output.GenerationSpans.Add((start, output.Length));
        return flow;
    }

    private string RenderToString(IReadOnlyList<Node> body, Scope scope)
    {
        var output = new Output(_budget);
        RenderNodes(body, new Scope(scope), output, inLoop: false);
        return output.ToString();
    }

    private string CallMacro(Macro macro, CallArguments args)
    {
        using var _ = _budget.EnterCall(macro.Node.Name);
        var scope = new Scope(macro.Closure);
        var parameters = macro.Node.Parameters;
        if (args.Positional.Count > parameters.Count)
            throw new TemplateException($"macro '{macro.Node.Name}' takes {parameters.Count} arguments but was given {args.Positional.Count}", macro.Node.Line);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, fallback) = parameters[i];
            var value = args.Named.TryGetValue(name, out var named) ? named
                : i < args.Positional.Count ? args.Positional[i]
                : fallback is null ? new Undefined(name) : _evaluator.Evaluate(fallback, scope);
            scope.Set(name, value);
        }
        var unknown = args.Named.Keys.FirstOrDefault(k => parameters.All(p => p.Name != k));
        if (unknown is not null) throw new TemplateException($"macro '{macro.Node.Name}' has no parameter '{unknown}'", macro.Node.Line);
        return RenderToString(macro.Node.Body, scope);
    }
}
