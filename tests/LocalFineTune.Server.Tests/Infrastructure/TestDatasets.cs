using System.Globalization;
using System.Text;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>Training files the tests write, upload or name: chat examples the tiny base learns in seconds.</summary>
public static class TestDatasets
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

    /// <summary>A line that is not JSON: the upload itself (POST /v1/files) refuses the file.</summary>
    public const string NotJson = "Fridge is noisy -> check the fan";

    /// <summary>A JSON object that is no example (no messages, prompt or text): the upload takes it, the data check does not.</summary>
    public const string NotAnExample = """{"question":"Fridge is noisy?"}""";

    /// <summary><paramref name="jsonl"/> with line <paramref name="line"/> (1-based) replaced by <paramref name="replacement"/>.</summary>
    public static string WithLine(string jsonl, int line, string replacement)
    {
        var lines = jsonl.TrimEnd('\n').Split('\n');
        lines[line - 1] = replacement;
        return string.Join('\n', lines) + "\n";
    }
}
