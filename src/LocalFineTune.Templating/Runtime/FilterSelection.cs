namespace LocalFineTune.Templating.Runtime;

/// <summary>selectattr/rejectattr, select/reject and map: filters that walk a sequence with a test or another filter.</summary>
internal static partial class Filters
{
    /// <summary>"a.b" reads attribute b of attribute a, as Jinja's attribute= arguments do.</summary>
    private static object? Attribute(object? item, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (item is Undefined) return item;
            item = Lookup.Item(item, long.TryParse(part, out var index) ? index : part);
        }
        return item;
    }

    private static List<object?> SelectAttribute(object? value, CallArguments args, bool keep)
    {
        var path = args.Positional.Count > 0 ? Values.ToStr(args.Positional[0]) : throw new TemplateException("selectattr/rejectattr need an attribute name");
        var testArgs = new CallArguments(args.Positional.Skip(2).ToList(), args.Named);
        return Values.Iterate(value).Where(item =>
        {
            var attribute = Attribute(item, path);
            var passed = args.Positional.Count > 1 ? Tests.Apply(Values.ToStr(args.Positional[1]), attribute, testArgs) : Values.IsTrue(attribute);
            return passed == keep;
        }).ToList();
    }

    private static List<object?> Select(object? value, CallArguments args, bool keep)
    {
        var testArgs = new CallArguments(args.Positional.Skip(1).ToList(), args.Named);
        return Values.Iterate(value).Where(item =>
            (args.Positional.Count > 0 ? Tests.Apply(Values.ToStr(args.Positional[0]), item, testArgs) : Values.IsTrue(item)) == keep).ToList();
    }

    private static object? Map(object? value, CallArguments args, Evaluator evaluator)
    {
        var items = Values.Iterate(value);
        if (args.Named.TryGetValue("attribute", out var path))
        {
            var fallback = args.Named.TryGetValue("default", out var d) ? d : null;
            return items.Select(x => Attribute(x, Values.ToStr(path)) is var found && found is Undefined && fallback is not null ? fallback : Attribute(x, Values.ToStr(path))).ToList();
        }
        if (args.Positional.Count == 0) throw new TemplateException("map needs a filter name or attribute=…");
        var filter = Values.ToStr(args.Positional[0]);
        var rest = new CallArguments(args.Positional.Skip(1).ToList(), args.Named);
        return items.Select(x => Apply(filter, x, rest, evaluator)).ToList();
    }
}
