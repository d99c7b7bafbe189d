using System.Text;

namespace LocalFineTune.Templating.Runtime;

/// <summary>Rendered text with its size limit, and the spans {% generation %} blocks covered.</summary>
internal sealed class Output(RenderBudget budget)
{
    private readonly StringBuilder _text = new();

    public List<(int Start, int End)> GenerationSpans { get; } = [];
    public int Length => _text.Length;

    public void Write(string text)
    {
        budget.CheckLength((long)_text.Length + text.Length);
        _text.Append(text);
    }

    public override string ToString() => _text.ToString();
}
