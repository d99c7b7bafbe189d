using LocalFineTune.Templating.Lexing;
using LocalFineTune.Templating.Parsing;
using LocalFineTune.Templating.Runtime;
using LocalFineTune.Templating.Syntax;

namespace LocalFineTune.Templating;

/// <summary>What a render produced: the text, and the character spans of {% generation %} blocks in it.</summary>
public sealed record RenderResult(string Text, IReadOnlyList<(int Start, int End)> GenerationSpans);

/// <summary>
/// A parsed Jinja template, in the subset Hugging Face chat templates use, rendered as transformers renders them
/// (trim_blocks, lstrip_blocks, no autoescape, raise_exception and strftime_now available, loop controls on).
/// Parse once, render many times; rendering is thread-safe.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Node> _nodes;

    private JinjaTemplate(IReadOnlyList<Node> nodes)
    {
        _nodes = nodes;
        HasGenerationBlocks = SyntaxWalk.Any(nodes, n => n is GenerationNode);
    }

    /// <summary>True when the template marks assistant text with {% generation %} blocks.</summary>
    public bool HasGenerationBlocks { get; }

    /// <exception cref="TemplateSyntaxException">the text is not valid Jinja or uses something this engine does not implement</exception>
    public static JinjaTemplate Parse(string source)
    {
        var nodes = Parser.Parse(Lexer.Tokenize(source));
        return new JinjaTemplate(nodes);
    }

    public string Render(IReadOnlyDictionary<string, object?> variables, RenderLimits? limits = null, Func<DateTime>? now = null) =>
        RenderWithSpans(variables, limits, now).Text;

    /// <summary>Renders with the variables (converted by <see cref="TemplateValues.From"/>).</summary>
    /// <exception cref="TemplateException">the render failed; <see cref="TemplateRaisedException"/> when the template refused the input</exception>
    public RenderResult RenderWithSpans(IReadOnlyDictionary<string, object?> variables, RenderLimits? limits = null, Func<DateTime>? now = null)
    {
        var budget = new RenderBudget(limits ?? RenderLimits.Default);
        var globals = new Scope(null);
        Globals.Install(globals, budget, now ?? (() => DateTime.Now));
        var scope = new Scope(globals);
        foreach (var (name, value) in variables) scope.Set(name, TemplateValues.From(value));
        try
        {
            var output = new Renderer(budget).Render(_nodes, scope);
            return new RenderResult(output.ToString(), output.GenerationSpans);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new TemplateLimitException("the template nests too deeply to render");
        }
    }
}
