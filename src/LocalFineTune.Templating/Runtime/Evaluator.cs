using LocalFineTune.Templating.Syntax;

namespace LocalFineTune.Templating.Runtime;

/// <summary>Evaluates expressions with Python/Jinja semantics; macro calls go back to the renderer.</summary>
internal sealed class Evaluator(RenderBudget budget, Func<Macro, CallArguments, string> callMacro)
{
    public RenderBudget Budget => budget;

    public object? Evaluate(Expr expr, Scope scope)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        try
        {
            return expr switch
            {
                LiteralExpr literal => literal.Value,
                NameExpr name => scope.Lookup(name.Name),
                ListExpr list => list.Items.Select(i => Evaluate(i, scope)).ToList(),
                DictExpr dict => BuildDict(dict, scope),
                AttributeExpr attribute => Lookup.Attribute(Evaluate(attribute.Target, scope), attribute.Name),
                ItemExpr item => Lookup.Item(Evaluate(item.Target, scope), Evaluate(item.Key, scope)),
                SliceExpr slice => Slicing.Slice(Evaluate(slice.Target, scope), Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope)),
                CallExpr call => Call(Evaluate(call.Callee, scope), Arguments(call.Args, scope), call.Callee),
                FilterExpr filter => Filters.Apply(filter.Name, Evaluate(filter.Target, scope), Arguments(filter.Args, scope), this),
                TestExpr test => Tests.Apply(test.Name, Evaluate(test.Target, scope), Arguments(test.Args, scope)) != test.Negated,
                UnaryExpr unary => Unary(unary, scope),
                BinaryExpr binary => Binary(binary, scope),
                ConditionalExpr conditional => Values.IsTrue(Evaluate(conditional.Condition, scope))
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Else is null ? new Undefined("the else branch") : Evaluate(conditional.Else, scope),
                _ => throw new TemplateException($"unsupported expression {expr.GetType().Name}", expr.Line),
            };
        }
        catch (TemplateException e) when (e.Line == 0 && e is not TemplateRaisedException and not TemplateLimitException)
        {
            throw new TemplateException(e.Message, expr.Line);
        }
    }

    private object? Optional(Expr? expr, Scope scope) => expr is null ? null : Evaluate(expr, scope);

    private Dictionary<string, object?> BuildDict(DictExpr dict, Scope scope)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Pairs) result[Values.ToStr(Evaluate(key, scope))] = Evaluate(value, scope);
        return result;
    }

    public CallArguments Arguments(Syntax.Arguments args, Scope scope)
    {
        if (args.Positional.Count == 0 && args.Named.Count == 0) return CallArguments.Empty;
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in args.Named) named[name] = Evaluate(value, scope);
        return new CallArguments(args.Positional.Select(a => Evaluate(a, scope)).ToList(), named);
    }

    public object? Call(object? callee, CallArguments args, Expr? calleeExpr = null) => callee switch
    {
        Macro macro => callMacro(macro, args),
        NativeFunction function => function.Invoke(args),
        BoundMethod method => Methods.Call(method, args, budget),
        Undefined undefined => throw undefined.Error(" and cannot be called (is it a function this engine does not provide?)"),
        _ => throw new TemplateException($"{Values.TypeName(callee)} is not callable"),
    };

    private object? Unary(UnaryExpr unary, Scope scope)
    {
        var value = Evaluate(unary.Operand, scope);
        return unary.Operator switch
        {
            "not" => !Values.IsTrue(value),
            "-" => value switch
            {
                long l => (object)(-l),
                double d => -d,
                bool b => b ? -1L : 0L,
                _ => throw new TemplateException($"bad operand type for unary -: {Values.TypeName(value)}"),
            },
            _ => Values.IsNumber(value) ? value : throw new TemplateException($"bad operand type for unary +: {Values.TypeName(value)}"),
        };
    }

    private object? Binary(BinaryExpr binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case "and": return Values.IsTrue(left) ? Evaluate(binary.Right, scope) : left;
            case "or": return Values.IsTrue(left) ? left : Evaluate(binary.Right, scope);
        }
        var right = Evaluate(binary.Right, scope);
        return binary.Operator switch
        {
            "==" => Values.Equals(left, right),
            "!=" => !Values.Equals(left, right),
            "<" => Values.Compare(left, right) < 0,
            "<=" => Values.Compare(left, right) <= 0,
            ">" => Values.Compare(left, right) > 0,
            ">=" => Values.Compare(left, right) >= 0,
            "in" => Contains(right, left),
            "not in" => !Contains(right, left),
            "~" => budget.CheckString(Values.ToStr(left) + Values.ToStr(right)),
            _ => Arithmetic.Apply(binary.Operator, left, right, budget),
        };
    }

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new TemplateException($"'in <string>' requires a string on the left, not {Values.TypeName(item)}"),
        List<object?> list => list.Any(x => Values.Equals(x, item)),
        Dictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        Undefined => false,
        _ => throw new TemplateException($"argument of type '{Values.TypeName(container)}' is not iterable"),
    };
}
