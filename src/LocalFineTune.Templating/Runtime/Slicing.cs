namespace LocalFineTune.Templating.Runtime;

/// <summary>Python's value[start:stop:step] on lists and strings, negative indices and steps included.</summary>
internal static class Slicing
{
    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var stepValue = step is null ? 1 : Values.ToLong(step);
        if (stepValue == 0) throw new TemplateException("slice step cannot be zero");
        switch (target)
        {
            case List<object?> list: return Take(list, start, stop, stepValue);
            case string s: return string.Concat(Take(Values.TextElements(s), start, stop, stepValue).Cast<string>());
            case Undefined undefined: throw undefined.Error(" (slicing it)");
            default: throw new TemplateException($"{Values.TypeName(target)} cannot be sliced");
        }
    }

    private static List<object?> Take(List<object?> items, object? start, object? stop, long step)
    {
        long count = items.Count;
        long first, last;
        if (step > 0)
        {
            first = start is null ? 0 : Clamp(Values.ToLong(start), count, 0, count);
            last = stop is null ? count : Clamp(Values.ToLong(stop), count, 0, count);
        }
        else
        {
            first = start is null ? count - 1 : Clamp(Values.ToLong(start), count, -1, count - 1);
            last = stop is null ? -1 : Clamp(Values.ToLong(stop), count, -1, count - 1);
        }
        var result = new List<object?>();
        for (var i = first; step > 0 ? i < last : i > last; i += step) result.Add(items[(int)i]);
        return result;
    }

    private static long Clamp(long index, long count, long low, long high)
    {
        if (index < 0) index += count;
        return Math.Clamp(index, low, high);
    }
}
