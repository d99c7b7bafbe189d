namespace LocalFineTune.Templating.Runtime;

/// <summary>Counts what one render spends against its <see cref="RenderLimits"/>.</summary>
internal sealed class RenderBudget(RenderLimits limits)
{
    private long _iterations;
    private int _callDepth;

    public RenderLimits Limits => limits;

    public void Iteration()
    {
        if (++_iterations > limits.MaxLoopIterations)
            throw new TemplateLimitException($"the template ran more than {limits.MaxLoopIterations:N0} loop iterations; it loops without end or the input is far too large");
    }

    public string CheckString(string value)
    {
        CheckLength(value.Length);
        return value;
    }

    public void CheckLength(long length)
    {
        if (length > limits.MaxOutputChars)
            throw new TemplateLimitException($"the template built a text of more than {limits.MaxOutputChars:N0} characters; shorten the input or raise the output limit");
    }

    public IDisposable EnterCall(string name)
    {
        if (++_callDepth > limits.MaxCallDepth)
        {
            _callDepth--;
            throw new TemplateLimitException($"calls nest deeper than {limits.MaxCallDepth} levels at '{name}'; the template recurses without end");
        }
        return new Exit(this);
    }

    private sealed class Exit(RenderBudget budget) : IDisposable
    {
        public void Dispose() => budget._callDepth--;
    }
}
