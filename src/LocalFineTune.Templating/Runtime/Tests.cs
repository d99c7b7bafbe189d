namespace LocalFineTune.Templating.Runtime;

/// <summary>Jinja's tests ("x is defined", "x is not none", "n is divisibleby 3", …).</summary>
internal static class Tests
{
    private static readonly Dictionary<string, Func<object?, CallArguments, bool>> All = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v is null,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["boolean"] = (v, _) => v is bool,
        ["string"] = (v, _) => v is string,
        ["number"] = (v, _) => v is long or double,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["mapping"] = (v, _) => v is Dictionary<string, object?>,
        ["iterable"] = (v, _) => v is string or List<object?> or Dictionary<string, object?>,
        ["sequence"] = (v, _) => v is string or List<object?> or Dictionary<string, object?>,
        ["callable"] = (v, _) => v is Macro or NativeFunction or BoundMethod,
        ["odd"] = (v, _) => Values.ToLong(v) % 2 != 0,
        ["even"] = (v, _) => Values.ToLong(v) % 2 == 0,
        ["divisibleby"] = (v, a) => Values.ToLong(v) % Values.ToLong(Required(a, "num")) == 0,
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
        ["in"] = (v, a) => Evaluator.Contains(Required(a, "seq"), v),
        ["sameas"] = (v, a) => ReferenceEquals(v, a.Get(0, "other")) || v is null && a.Get(0, "other") is null
            || v is bool b && a.Get(0, "other") is bool c && b == c,
        ["eq"] = (v, a) => Values.Equals(v, Required(a, "other")),
        ["ne"] = (v, a) => !Values.Equals(v, Required(a, "other")),
        ["lt"] = (v, a) => Values.Compare(v, Required(a, "other")) < 0,
        ["le"] = (v, a) => Values.Compare(v, Required(a, "other")) <= 0,
        ["gt"] = (v, a) => Values.Compare(v, Required(a, "other")) > 0,
        ["ge"] = (v, a) => Values.Compare(v, Required(a, "other")) >= 0,
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["=="] = "eq", ["equalto"] = "eq", ["!="] = "ne", ["<"] = "lt", ["lessthan"] = "lt", ["<="] = "le",
        [">"] = "gt", ["greaterthan"] = "gt", [">="] = "ge",
    };

    public static bool Exists(string name) => All.ContainsKey(Aliases.GetValueOrDefault(name, name));

    public static bool Apply(string name, object? value, CallArguments args)
    {
        if (!All.TryGetValue(Aliases.GetValueOrDefault(name, name), out var test))
            throw new TemplateException($"unknown test '{name}'");
        return test(value, args);
    }

    private static object? Required(CallArguments args, string name) =>
        args.Has(0, name) ? args.Get(0, name) : throw new TemplateException($"the test needs an argument ({name})");
}
