namespace LocalFineTune.Templating.Runtime;

/// <summary>value.name and value[key] as Jinja resolves them (attribute first for ".", item first for "[]").</summary>
internal static class Lookup
{
    public static object? Attribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined undefined: throw undefined.Error($" (reading its attribute '{name}')");
            case Dictionary<string, object?> dict:
                if (Methods.Has(target, name)) return new BoundMethod(target, name);
                return dict.TryGetValue(name, out var value) ? value : new Undefined(name);
            case JinjaNamespace ns: return ns.Fields.TryGetValue(name, out var field) ? field : new Undefined(name);
            case LoopInfo loop: return loop.Get(name);
            case List<object?> list when long.TryParse(name, out var index): return Item(list, index);
            case null: return new Undefined(name);
        }
        return Methods.Has(target, name) ? new BoundMethod(target, name) : new Undefined(name);
    }

    public static object? Item(object? target, object? key)
    {
        switch (target)
        {
            case Undefined undefined: throw undefined.Error($" (reading its item [{Values.Repr(key)}])");
            case Dictionary<string, object?> dict:
                return key is string k && dict.TryGetValue(k, out var value) ? value
                    : key is string name && Methods.Has(target, name) ? new BoundMethod(target, name)
                    : new Undefined(Values.ToStr(key));
            case List<object?> list when key is long or bool:
                return IndexOrUndefined(list, Values.ToLong(key));
            case string s when key is long or bool:
                var characters = Values.TextElements(s);
                return IndexOrUndefined(characters, Values.ToLong(key));
            case JinjaNamespace or LoopInfo when key is string attribute:
                return Attribute(target, attribute);
        }
        return key is string method ? Attribute(target, method) : new Undefined(Values.ToStr(key));
    }

    private static object? IndexOrUndefined(List<object?> list, long index)
    {
        if (index < 0) index += list.Count;
        return index >= 0 && index < list.Count ? list[(int)index] : new Undefined($"[{index}]");
    }
}
