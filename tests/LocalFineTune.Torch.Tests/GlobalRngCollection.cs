namespace LocalFineTune.Torch.Tests;

/// <summary>
/// Tests that seed libtorch's process-wide generator (Runtime.ManualSeed) and then expect a given sequence of draws.
/// They run alone: a test in another class drawing from the same generator in parallel changed the sequence once
/// (Multinomial_DrawsOnlyFromNonZeroProbabilities_AndIsSeeded, issue 12).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "global libtorch generator";
}
