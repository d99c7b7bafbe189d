using System.Globalization;
using System.Text;

namespace LocalFineTune.Templating.Runtime;

/// <summary>
/// The tojson filter as transformers defines it: json.dumps(value, ensure_ascii=False, indent=…, separators=…,
/// sort_keys=…) — ", " and ": " between items without indent, "," and ": " with it, non-ASCII written as is.
/// </summary>
internal static class JsonText
{
    public static string Write(object? value, int? indent, bool sortKeys, (string Item, string Key)? separators, RenderBudget budget)
    {
        var text = new StringBuilder();
        var (item, key) = separators ?? (indent is null ? (", ", ": ") : (",", ": "));
        Append(text, value, indent, sortKeys, item, key, 0, budget);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value, int? indent, bool sortKeys, string item, string key, int depth, RenderBudget budget)
    {
        budget.CheckLength(text.Length);
        if (depth > TemplateDepth) throw new TemplateException($"tojson: the value nests deeper than {TemplateDepth} levels");
        switch (value)
        {
            case null or Undefined: text.Append("null"); break;
            case bool b: text.Append(b ? "true" : "false"); break;
            case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: text.Append(double.IsFinite(d) ? Values.FloatRepr(d) : double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"); break;
            case string s: AppendString(text, s); break;
            case List<object?> list:
                AppendContainer(text, '[', ']', list.Count, indent, item, depth, i => Append(text, list[i], indent, sortKeys, item, key, depth + 1, budget));
                break;
            case Dictionary<string, object?> dict:
                var pairs = sortKeys ? dict.OrderBy(p => p.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                AppendContainer(text, '{', '}', pairs.Count, indent, item, depth, i =>
                {
                    AppendString(text, pairs[i].Key);
                    text.Append(key);
                    Append(text, pairs[i].Value, indent, sortKeys, item, key, depth + 1, budget);
                });
                break;
            case JinjaNamespace ns: Append(text, new Dictionary<string, object?>(ns.Fields), indent, sortKeys, item, key, depth, budget); break;
            default: throw new TemplateException($"tojson: a {Values.TypeName(value)} cannot be written as JSON");
        }
    }

    private const int TemplateDepth = 100;

    private static void AppendContainer(StringBuilder text, char open, char close, int count, int? indent, string item, int depth, Action<int> appendItem)
    {
        text.Append(open);
        if (count == 0) { text.Append(close); return; }
        var childPadding = indent is int n ? "\n" + new string(' ', n * (depth + 1)) : "";
        for (var i = 0; i < count; i++)
        {
            if (i > 0) text.Append(item);
            text.Append(childPadding);
            appendItem(i);
        }
        if (indent is int m) text.Append('\n').Append(' ', m * depth);
        text.Append(close);
    }

    private static void AppendString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
