namespace LocalFineTune.Templating;

/// <summary>A template that cannot be parsed, or that failed while rendering. Line is 1-based, 0 when unknown.</summary>
public class TemplateException(string message, int line = 0) : Exception(line > 0 ? $"{message} (template line {line})" : message)
{
    public int Line { get; } = line;
}

/// <summary>The template is not valid Jinja, or uses a tag, filter or test this engine does not implement.</summary>
public sealed class TemplateSyntaxException(string message, int line) : TemplateException(message, line);

/// <summary>The template called raise_exception(message): the input is one the template refuses (e.g. bad role order).</summary>
public sealed class TemplateRaisedException(string templateMessage)
    : TemplateException($"The chat template refused this input: {templateMessage}")
{
    public string TemplateMessage { get; } = templateMessage;
}

/// <summary>A render limit (output size, loop iterations, call depth) was exceeded: a hostile or runaway template.</summary>
public sealed class TemplateLimitException(string message) : TemplateException(message);
