namespace LocalFineTune.Templating.Runtime;

/// <summary>+ - * / // % ** with Python's rules (int stays int, / is true division, // and % floor).</summary>
internal static class Arithmetic
{
    public static object? Apply(string op, object? left, object? right, RenderBudget budget)
    {
        if (op == "+")
        {
            switch (left, right)
            {
                case (string a, string b): return budget.CheckString(a + b);
                case (List<object?> a, List<object?> b):
                    budget.CheckLength((long)a.Count + b.Count);
                    return a.Concat(b).ToList();
            }
        }
        if (op == "*" && Repeat(left, right, budget) is { } repeated) return repeated;
        if (!Values.IsNumber(left) || !Values.IsNumber(right))
            throw new TemplateException($"unsupported operand types for {op}: '{Values.TypeName(left)}' and '{Values.TypeName(right)}'");
        return left is double || right is double || op == "/" ? Floating(op, Values.ToDouble(left), Values.ToDouble(right))
            : Integer(op, Values.ToLong(left), Values.ToLong(right));
    }

    private static object? Repeat(object? left, object? right, RenderBudget budget)
    {
        var (sequence, count) = left is long or bool ? (right, left) : (left, right);
        if (sequence is not (string or List<object?>) || count is not (long or bool)) return null;
        var times = Math.Max(0, Values.ToLong(count));
        switch (sequence)
        {
            case string s:
                budget.CheckLength(s.Length * times);
                return string.Concat(Enumerable.Repeat(s, (int)times));
            case List<object?> list:
                budget.CheckLength(list.Count * times);
                return Enumerable.Repeat(list, (int)times).SelectMany(x => x).ToList();
        }
        return null;
    }

    private static object Integer(string op, long a, long b)
    {
        try
        {
            checked
            {
                return op switch
                {
                    "+" => (object)(a + b),
                    "-" => a - b,
                    "*" => a * b,
                    "//" => b == 0 ? throw DivisionByZero() : FloorDiv(a, b),
                    "%" => b == 0 ? throw DivisionByZero() : a - b * FloorDiv(a, b),
                    "**" => b < 0 ? Math.Pow(a, b) : (object)Power(a, b),
                    _ => throw new TemplateException($"unknown operator {op}"),
                };
            }
        }
        catch (OverflowException)
        {
            throw new TemplateException($"integer overflow in {a} {op} {b}");
        }
    }

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static long Power(long a, long b)
    {
        if (a is 0 or 1) return b == 0 ? 1 : a;
        if (a == -1) return b % 2 == 0 ? 1 : -1;
        long result = 1;
        for (var i = 0; i < b; i++)
        {
            result = checked(result * a);
        }
        return result;
    }

    private static double Floating(string op, double a, double b) => op switch
    {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => b == 0 ? throw DivisionByZero() : a / b,
        "//" => b == 0 ? throw DivisionByZero() : Math.Floor(a / b),
        "%" => b == 0 ? throw DivisionByZero() : a - b * Math.Floor(a / b),
        "**" => Math.Pow(a, b),
        _ => throw new TemplateException($"unknown operator {op}"),
    };

    private static TemplateException DivisionByZero() => new("division by zero");
}
