using LocalFineTune.Server.Execution;
using LocalFineTune.Torch;

namespace LocalFineTune.Server.Tests;

/// <summary>The estimate's matmul timing must leave libtorch's global generator alone: a job training at the same moment
/// draws its dropout from it, and its run must not depend on someone pressing "Check data". Seeds the global generator,
/// so it runs alone.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class DeviceThroughputTests
{
    [Fact]
    public void Measuring_DrawsNothingFromTheGlobalGenerator_AndGivesAPositiveSpeed()
    {
        Runtime.ManualSeed(7);
        var expected = FirstDraw();
        Runtime.ManualSeed(7);

        var flops = new DeviceThroughput().FlopsPerSecond("cpu");

        Assert.Equal(expected, FirstDraw());
        Assert.True(flops > 0);
    }

    private static float FirstDraw()
    {
        using var draw = Tensor.Rand([1]);
        return draw.ToArray<float>()[0];
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "global libtorch generator";
}
