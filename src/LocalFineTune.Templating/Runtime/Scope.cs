namespace LocalFineTune.Templating.Runtime;

/// <summary>
/// Variables visible at one point. A for-loop body and a macro get a child scope (Jinja: a "set" inside a loop does
/// not leak out of it, which is why templates use namespace()); "if" blocks share their parent's.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public object? Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._variables.TryGetValue(name, out var value)) return value;
        return new Undefined(name);
    }

    public Scope? Parent { get; } = parent;

    public void Set(string name, object? value) => _variables[name] = value;
}
