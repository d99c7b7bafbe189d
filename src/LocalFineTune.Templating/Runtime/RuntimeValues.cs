using LocalFineTune.Templating.Syntax;

namespace LocalFineTune.Templating.Runtime;

/// <summary>
/// Jinja's Undefined: a missing variable, key or attribute. It renders empty, is falsy, iterates as empty and
/// compares equal only to another undefined; reading an attribute of it or calling it is an error naming it.
/// </summary>
public sealed class Undefined(string name)
{
    public string Name { get; } = name;

    public TemplateException Error(string what = "") =>
        new($"'{Name}' is undefined{what}; check the variable name or test it with 'is defined' first");

    public override string ToString() => "";
}

/// <summary>namespace(...): the one object a template may change from inside a loop ({% set ns.x = … %}).</summary>
public sealed class JinjaNamespace
{
    public Dictionary<string, object?> Fields { get; } = new(StringComparer.Ordinal);
}

/// <summary>A macro, callable like a function; it renders its body in a scope of its own.</summary>
internal sealed record Macro(MacroNode Node, Scope Closure);

/// <summary>A method read off a value (e.g. "text".strip), called later with its arguments.</summary>
internal sealed record BoundMethod(object Target, string Name);

/// <summary>A global function (raise_exception, namespace, range, …).</summary>
internal sealed record NativeFunction(string Name, Func<CallArguments, object?> Invoke);

/// <summary>The "loop" variable of a for loop.</summary>
internal sealed class LoopInfo(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Get(string name) => name switch
    {
        "index0" => (long)Index0,
        "index" => (long)Index0 + 1,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("loop.previtem"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : new Undefined("loop.nextitem"),
        "depth" => 1L,
        "depth0" => 0L,
        "cycle" => new NativeFunction("loop.cycle", args => args.Positional.Count == 0 ? null : args.Positional[Index0 % args.Positional.Count]),
        _ => new Undefined("loop." + name),
    };
}

/// <summary>Evaluated arguments of a call, a filter or a test.</summary>
public sealed class CallArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
{
    public static readonly CallArguments Empty = new([], new Dictionary<string, object?>());

    public IReadOnlyList<object?> Positional { get; } = positional;
    public IReadOnlyDictionary<string, object?> Named { get; } = named;

    /// <summary>The argument at a position or with a name, or the fallback when the caller gave neither.</summary>
    public object? Get(int index, string name, object? fallback = null) =>
        Named.TryGetValue(name, out var value) ? value : index < Positional.Count ? Positional[index] : fallback;

    public bool Has(int index, string name) => Named.ContainsKey(name) || index < Positional.Count;
}
