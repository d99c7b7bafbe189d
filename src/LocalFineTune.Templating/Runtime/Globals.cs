using System.Globalization;
using System.Text;

namespace LocalFineTune.Templating.Runtime;

/// <summary>The functions a chat template may call: Jinja's range/dict/namespace and transformers' raise_exception/strftime_now.</summary>
internal static class Globals
{
    public static void Install(Scope scope, RenderBudget budget, Func<DateTime> now)
    {
        scope.Set("raise_exception", new NativeFunction("raise_exception", args => throw new TemplateRaisedException(Values.ToStr(args.Get(0, "message", "")))));
        scope.Set("namespace", new NativeFunction("namespace", Namespace));
        scope.Set("dict", new NativeFunction("dict", args => new Dictionary<string, object?>(args.Named, StringComparer.Ordinal)));
        scope.Set("range", new NativeFunction("range", args => Range(args, budget)));
        scope.Set("strftime_now", new NativeFunction("strftime_now", args => StrfTime(now(), Values.ToStr(args.Get(0, "format", "")))));
    }

    private static object Namespace(CallArguments args)
    {
        var ns = new JinjaNamespace();
        foreach (var initial in args.Positional)
        {
            if (initial is not Dictionary<string, object?> dict) throw new TemplateException($"namespace() takes a mapping, not {Values.TypeName(initial)}");
            foreach (var (key, value) in dict) ns.Fields[key] = value;
        }
        foreach (var (key, value) in args.Named) ns.Fields[key] = value;
        return ns;
    }

    private static List<object?> Range(CallArguments args, RenderBudget budget)
    {
        var numbers = args.Positional.Select(Values.ToLong).ToList();
        var (start, stop, step) = numbers.Count switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new TemplateException("range() takes 1 to 3 integers"),
        };
        if (step == 0) throw new TemplateException("range() step must not be zero");
        var count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        if (count > budget.Limits.MaxLoopIterations)
            throw new TemplateLimitException($"range() of {count:N0} numbers is above the loop limit of {budget.Limits.MaxLoopIterations:N0}");
        var items = new List<object?>((int)count);
        for (long i = 0, value = start; i < count; i++, value += step) items.Add(value);
        return items;
    }

    /// <summary>Python's strftime for the directives chat templates use (e.g. Llama 3.x's "%d %b %Y").</summary>
    public static string StrfTime(DateTime time, string format)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { text.Append(format[i]); continue; }
            var directive = format[++i];
            text.Append(directive switch
            {
                'd' => time.ToString("dd", culture), 'm' => time.ToString("MM", culture), 'Y' => time.ToString("yyyy", culture),
                'y' => time.ToString("yy", culture), 'b' => time.ToString("MMM", culture), 'B' => time.ToString("MMMM", culture),
                'a' => time.ToString("ddd", culture), 'A' => time.ToString("dddd", culture), 'H' => time.ToString("HH", culture),
                'I' => time.ToString("hh", culture), 'M' => time.ToString("mm", culture), 'S' => time.ToString("ss", culture),
                'p' => time.Hour < 12 ? "AM" : "PM", 'j' => time.DayOfYear.ToString("000", culture),
                'e' => time.Day.ToString(culture).PadLeft(2), '%' => "%",
                _ => throw new TemplateException($"strftime_now: the directive %{directive} is not supported"),
            });
        }
        return text.ToString();
    }
}
