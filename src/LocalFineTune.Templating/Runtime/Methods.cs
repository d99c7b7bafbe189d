using System.Text;

namespace LocalFineTune.Templating.Runtime;

/// <summary>The Python str and dict methods chat templates call (no method that mutates a value: Jinja's sandbox forbids them).</summary>
internal static class Methods
{
    private static readonly HashSet<string> StringMethods =
        ["strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "upper", "lower", "title",
         "capitalize", "replace", "find", "rfind", "count", "join", "isdigit", "isspace", "isalpha", "isalnum", "isupper", "islower"];

    private static readonly HashSet<string> DictMethods = ["items", "keys", "values", "get"];

    public static bool Has(object? target, string name) => target switch
    {
        string => StringMethods.Contains(name),
        Dictionary<string, object?> => DictMethods.Contains(name),
        _ => false,
    };

    public static object? Call(BoundMethod method, CallArguments args, RenderBudget budget) => method.Target switch
    {
        string s => CallString(s, method.Name, args, budget),
        Dictionary<string, object?> dict => CallDict(dict, method.Name, args),
        _ => throw new TemplateException($"{Values.TypeName(method.Target)} has no method '{method.Name}'"),
    };

    private static object? CallDict(Dictionary<string, object?> dict, string name, CallArguments args) => name switch
    {
        "items" => dict.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
        "keys" => dict.Keys.Cast<object?>().ToList(),
        "values" => dict.Values.ToList(),
        _ => args.Get(0, "key") is string key && dict.TryGetValue(key, out var value) ? value : args.Get(1, "default"),
    };

    private static object? CallString(string s, string name, CallArguments args, RenderBudget budget) => name switch
    {
        "strip" => Strip(s, args.Get(0, "chars"), start: true, end: true),
        "lstrip" => Strip(s, args.Get(0, "chars"), start: true, end: false),
        "rstrip" => Strip(s, args.Get(0, "chars"), start: false, end: true),
        "startswith" => Affix(s, args.Get(0, "prefix"), (t, p) => t.StartsWith(p, StringComparison.Ordinal)),
        "endswith" => Affix(s, args.Get(0, "suffix"), (t, p) => t.EndsWith(p, StringComparison.Ordinal)),
        "split" => Split(s, args.Get(0, "sep"), (int)Values.ToLong(args.Get(1, "maxsplit", -1L))),
        "rsplit" => RightSplit(s, args.Get(0, "sep"), (int)Values.ToLong(args.Get(1, "maxsplit", -1L))),
        "splitlines" => SplitLines(s),
        "upper" => s.ToUpperInvariant(),
        "lower" => s.ToLowerInvariant(),
        "title" => Title(s),
        "capitalize" => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant(),
        "replace" => Replace(s, Text(args.Get(0, "old")), Text(args.Get(1, "new")), Values.ToLong(args.Get(2, "count", -1L)), budget),
        "find" => (long)s.IndexOf(Text(args.Get(0, "sub")), StringComparison.Ordinal),
        "rfind" => (long)s.LastIndexOf(Text(args.Get(0, "sub")), StringComparison.Ordinal),
        "count" => Count(s, Text(args.Get(0, "sub"))),
        "join" => budget.CheckString(string.Join(s, Values.Iterate(args.Get(0, "iterable")).Select(Values.ToStr))),
        "isdigit" => s.Length > 0 && s.All(char.IsDigit),
        "isspace" => s.Length > 0 && s.All(char.IsWhiteSpace),
        "isalpha" => s.Length > 0 && s.All(char.IsLetter),
        "isalnum" => s.Length > 0 && s.All(char.IsLetterOrDigit),
        "isupper" => s.Any(char.IsLetter) && !s.Any(char.IsLower),
        "islower" => s.Any(char.IsLetter) && !s.Any(char.IsUpper),
        _ => throw new TemplateException($"str has no method '{name}'"),
    };

    private static string Text(object? value) =>
        value as string ?? throw new TemplateException($"expected a string argument but got {Values.TypeName(value)}");

    public static string Strip(string s, object? chars, bool start, bool end)
    {
        Func<char, bool> strip = chars is string set ? set.Contains : char.IsWhiteSpace;
        int first = 0, last = s.Length;
        if (start) while (first < last && strip(s[first])) first++;
        if (end) while (last > first && strip(s[last - 1])) last--;
        return s[first..last];
    }

    private static bool Affix(string s, object? affix, Func<string, string, bool> test) => affix switch
    {
        string text => test(s, text),
        List<object?> options => options.Any(o => test(s, Text(o))),
        _ => throw new TemplateException($"expected a string or a tuple of strings but got {Values.TypeName(affix)}"),
    };

    public static List<object?> Split(string s, object? separator, int maxSplit)
    {
        if (separator is null)
        {
            var words = new List<object?>();
            var rest = s.TrimStart();
            while (rest.Length > 0)
            {
                if (maxSplit >= 0 && words.Count == maxSplit) { words.Add(rest); break; }
                var end = 0;
                while (end < rest.Length && !char.IsWhiteSpace(rest[end])) end++;
                words.Add(rest[..end]);
                rest = rest[end..].TrimStart();
            }
            return words;
        }
        var sep = Text(separator);
        if (sep.Length == 0) throw new TemplateException("split(): empty separator");
        return (maxSplit < 0 ? s.Split(sep) : s.Split(sep, maxSplit + 1)).Cast<object?>().ToList();
    }

    private static List<object?> RightSplit(string s, object? separator, int maxSplit)
    {
        if (maxSplit < 0 || separator is null) return Split(s, separator, maxSplit);
        var sep = Text(separator);
        var parts = new List<object?>();
        var end = s.Length;
        while (parts.Count < maxSplit)
        {
            var at = s.LastIndexOf(sep, end - 1 < 0 ? 0 : end - 1, StringComparison.Ordinal);
            if (end == 0 || at < 0 || at + sep.Length > end) break;
            parts.Insert(0, s[(at + sep.Length)..end]);
            end = at;
        }
        parts.Insert(0, s[..end]);
        return parts;
    }

    private static List<object?> SplitLines(string s)
    {
        var lines = System.Text.RegularExpressions.Regex.Split(s, "\r\n|\r|\n").Cast<object?>().ToList();
        if (lines.Count > 0 && (string)lines[^1]! == "") lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private static string Title(string s)
    {
        var text = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            text.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }
        return text.ToString();
    }

    public static string Replace(string s, string old, string replacement, long count, RenderBudget budget)
    {
        if (count < 0)
        {
            if (old.Length > 0) budget.CheckLength(s.Length + (long)(s.Length / old.Length) * Math.Max(0, replacement.Length - old.Length));
            else budget.CheckLength(s.Length + (s.Length + 1L) * replacement.Length);
            return old.Length == 0 ? replacement + string.Join(replacement, Values.TextElements(s).Cast<string>()) + (s.Length > 0 ? replacement : "")
                : s.Replace(old, replacement, StringComparison.Ordinal);
        }
        var text = new StringBuilder();
        var position = 0;
        for (var done = 0; done < count && old.Length > 0; done++)
        {
            var at = s.IndexOf(old, position, StringComparison.Ordinal);
            if (at < 0) break;
            text.Append(s, position, at - position).Append(replacement);
            position = at + old.Length;
        }
        return budget.CheckString(text.Append(s, position, s.Length - position).ToString());
    }

    private static long Count(string s, string sub)
    {
        if (sub.Length == 0) return Values.TextElements(s).Count + 1;
        long count = 0;
        for (var at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
