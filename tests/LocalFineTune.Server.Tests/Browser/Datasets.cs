using System.Globalization;
using System.Text;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>Training files the browser tests upload or name: chat examples the tiny base learns in seconds.</summary>
public static class Datasets
{
    public static string ChatJsonl(int examples)
    {
        var text = new StringBuilder();
        for (var i = 0; i < examples; i++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $$"""{"messages":[{"role":"user","content":"Fridge {{i}} is noisy."},{"role":"assistant","content":"Check the fan and the frost."}]}""");
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary><paramref name="jsonl"/> with line <paramref name="line"/> (1-based) replaced by text that is not JSON.</summary>
    public static string WithBadLine(string jsonl, int line)
    {
        var lines = jsonl.TrimEnd('\n').Split('\n');
        lines[line - 1] = "Fridge is noisy -> check the fan";
        return string.Join('\n', lines) + "\n";
    }
}
