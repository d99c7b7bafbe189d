namespace LocalFineTune.Templating;

/// <summary>
/// Bounds on one render, so a hostile template or input fails with a clear error instead of exhausting memory or
/// time. Defaults are far above what a chat template needs for conversations of a few hundred thousand tokens.
/// </summary>
public sealed record RenderLimits
{
    /// <summary>Most characters of output, and of any one string built while rendering.</summary>
    public int MaxOutputChars { get; init; } = 16 * 1024 * 1024;
    /// <summary>Most loop iterations of all loops together.</summary>
    public long MaxLoopIterations { get; init; } = 1_000_000;
    /// <summary>Most nested macro calls.</summary>
    public int MaxCallDepth { get; init; } = 64;

    public static RenderLimits Default { get; } = new();
}
