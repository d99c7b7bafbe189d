using System.Globalization;
using System.Net;

namespace LocalFineTune.Templating.Runtime;

/// <summary>Jinja's built-in filters that chat templates use, plus transformers' tojson.</summary>
internal static partial class Filters
{
    private delegate object? Filter(object? value, CallArguments args, Evaluator evaluator);

    private static readonly Dictionary<string, Filter> All = new(StringComparer.Ordinal)
    {
        ["trim"] = (v, a, _) => Methods.Strip(Values.ToStr(v), a.Get(0, "chars"), start: true, end: true),
        ["length"] = (v, _, _) => Length(v),
        ["count"] = (v, _, _) => Length(v),
        ["tojson"] = ToJson,
        ["upper"] = (v, _, _) => Values.ToStr(v).ToUpperInvariant(),
        ["lower"] = (v, _, _) => Values.ToStr(v).ToLowerInvariant(),
        ["capitalize"] = (v, _, e) => Methods.Call(new BoundMethod(Values.ToStr(v), "capitalize"), CallArguments.Empty, e.Budget),
        ["title"] = (v, _, e) => Methods.Call(new BoundMethod(Values.ToStr(v), "title"), CallArguments.Empty, e.Budget),
        ["default"] = Default,
        ["d"] = Default,
        ["first"] = (v, _, _) => Values.Iterate(v) is { Count: > 0 } items ? items[0] : new Undefined("first item"),
        ["last"] = (v, _, _) => Values.Iterate(v) is { Count: > 0 } items ? items[^1] : new Undefined("last item"),
        ["join"] = Join,
        ["replace"] = (v, a, e) => Methods.Replace(Values.ToStr(v), Values.ToStr(a.Get(0, "old")), Values.ToStr(a.Get(1, "new")),
            Values.ToLong(a.Get(2, "count", -1L)), e.Budget),
        ["list"] = (v, _, _) => Values.Iterate(v).ToList(),
        ["items"] = (v, _, _) => v is Undefined ? new List<object?>() : v is Dictionary<string, object?> d
            ? d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
            : throw new TemplateException($"items: expected a mapping but got {Values.TypeName(v)}"),
        ["string"] = (v, _, _) => Values.ToStr(v),
        ["int"] = (v, a, _) => ToInt(v, a.Get(0, "default", 0L)),
        ["float"] = (v, a, _) => ToFloat(v, a.Get(0, "default", 0.0)),
        ["abs"] = (v, _, _) => v is long l ? (object)Math.Abs(l) : Math.Abs(Values.ToDouble(v)),
        ["round"] = Round,
        ["reverse"] = (v, _, _) => v is string s ? string.Concat(Values.TextElements(s).Cast<string>().Reverse()) : Values.Iterate(v).Reverse().ToList(),
        ["unique"] = (v, _, _) => Values.Iterate(v).Aggregate(new List<object?>(), (seen, x) => { if (!seen.Any(y => Values.Equals(x, y))) seen.Add(x); return seen; }),
        ["sort"] = Sort,
        ["min"] = (v, _, _) => Values.Iterate(v) is { Count: > 0 } items ? items.Aggregate((a, b) => Values.Compare(b, a) < 0 ? b : a) : new Undefined("min"),
        ["max"] = (v, _, _) => Values.Iterate(v) is { Count: > 0 } items ? items.Aggregate((a, b) => Values.Compare(b, a) > 0 ? b : a) : new Undefined("max"),
        ["sum"] = (v, a, e) => Values.Iterate(v).Select(x => a.Get(0, "attribute") is string path ? Attribute(x, path) : x)
            .Aggregate(a.Get(1, "start", 0L), (acc, x) => Arithmetic.Apply("+", acc, x, e.Budget)),
        ["selectattr"] = (v, a, e) => SelectAttribute(v, a, keep: true),
        ["rejectattr"] = (v, a, e) => SelectAttribute(v, a, keep: false),
        ["select"] = (v, a, e) => Select(v, a, keep: true),
        ["reject"] = (v, a, e) => Select(v, a, keep: false),
        ["map"] = Map,
        ["safe"] = (v, _, _) => v,
        ["escape"] = (v, _, _) => WebUtility.HtmlEncode(Values.ToStr(v)),
        ["e"] = (v, _, _) => WebUtility.HtmlEncode(Values.ToStr(v)),
        ["indent"] = Indent,
        ["wordcount"] = (v, _, _) => (long)Methods.Split(Values.ToStr(v), null, -1).Count,
        ["dictsort"] = (v, _, _) => v is Dictionary<string, object?> d
            ? d.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
            : throw new TemplateException($"dictsort: expected a mapping but got {Values.TypeName(v)}"),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(string name, object? value, CallArguments args, Evaluator evaluator)
    {
        if (!All.TryGetValue(name, out var filter)) throw new TemplateException($"unknown filter '{name}'");
        return filter(value, args, evaluator);
    }

    private static long Length(object? value) => value switch
    {
        string s => Values.TextElements(s).Count,
        Undefined => 0,
        JinjaNamespace ns => ns.Fields.Count,
        _ => Values.Iterate(value).Count,
    };

    private static object? ToJson(object? value, CallArguments args, Evaluator evaluator)
    {
        var indent = args.Get(0, "indent") is { } i and not null ? (int?)Values.ToLong(i) : null;
        var sortKeys = Values.IsTrue(args.Get(1, "sort_keys", false));
        (string, string)? separators = args.Get(2, "separators") is List<object?> { Count: 2 } s ? (Values.ToStr(s[0]), Values.ToStr(s[1])) : null;
        return JsonText.Write(value, indent, sortKeys, separators, evaluator.Budget);
    }

    private static object? Default(object? value, CallArguments args, Evaluator _)
    {
        var fallback = args.Get(0, "default_value", "");
        var boolean = Values.IsTrue(args.Get(1, "boolean", false));
        return value is Undefined || boolean && !Values.IsTrue(value) ? fallback : value;
    }

    private static object? Join(object? value, CallArguments args, Evaluator evaluator)
    {
        var separator = Values.ToStr(args.Get(0, "d", ""));
        var items = Values.Iterate(value).Select(x => args.Get(1, "attribute") is string path ? Attribute(x, path) : x);
        return evaluator.Budget.CheckString(string.Join(separator, items.Select(Values.ToStr)));
    }

    private static object ToInt(object? value, object? fallback) => value switch
    {
        long l => l,
        bool b => b ? 1L : 0L,
        double d when double.IsFinite(d) => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim().Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => (long)Math.Truncate(d),
        _ => fallback ?? 0L,
    };

    private static object ToFloat(object? value, object? fallback) => value switch
    {
        long or double or bool => Values.ToDouble(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => fallback ?? 0.0,
    };

    private static object? Round(object? value, CallArguments args, Evaluator _)
    {
        var precision = (int)Values.ToLong(args.Get(0, "precision", 0L));
        var method = Values.ToStr(args.Get(1, "method", "common"));
        var number = Values.ToDouble(value);
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => Math.Round(number * scale, MidpointRounding.AwayFromZero) / scale,
            "ceil" => Math.Ceiling(number * scale) / scale,
            "floor" => Math.Floor(number * scale) / scale,
            _ => throw new TemplateException($"round: method must be 'common', 'ceil' or 'floor', not '{method}'"),
        };
    }

    private static object? Sort(object? value, CallArguments args, Evaluator _)
    {
        var reverse = Values.IsTrue(args.Get(0, "reverse", false));
        var path = args.Get(2, "attribute") as string;
        var items = Values.Iterate(value).ToList();
        var keyed = items.Select(x => (Key: path is null ? x : Attribute(x, path), Item: x)).ToList();
        var sorted = keyed.OrderBy(p => p.Key, Comparer<object?>.Create(SortCompare)).Select(p => p.Item).ToList();
        if (reverse) sorted.Reverse();
        return sorted;
    }

    /// <summary>Jinja sorts strings case-insensitively unless case_sensitive=true.</summary>
    private static int SortCompare(object? a, object? b) =>
        a is string x && b is string y ? string.Compare(x, y, StringComparison.OrdinalIgnoreCase) : Values.Compare(a, b);

    private static object? Indent(object? value, CallArguments args, Evaluator evaluator)
    {
        var width = args.Get(0, "width", 4L) is string w ? w : new string(' ', (int)Math.Clamp(Values.ToLong(args.Get(0, "width", 4L)), 0, 1000));
        var first = Values.IsTrue(args.Get(1, "first", false));
        var blank = Values.IsTrue(args.Get(2, "blank", false));
        var lines = Values.ToStr(value).Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if ((i > 0 || first) && (blank || lines[i].Length > 0)) lines[i] = width + lines[i];
        return evaluator.Budget.CheckString(string.Join('\n', lines));
    }
}
