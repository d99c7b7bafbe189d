using LocalFineTune.Models.Generation;

namespace LocalFineTune.Models.Tests;

public class TokenSamplerTests
{
    private static readonly float[] Logits = [2f, 1f, 0.5f, -1f, 3f];

    [Fact]
    public void Next_PicksArgMax_WhenGreedy()
    {
        Assert.Equal(4, new TokenSampler(new GenerationOptions()).Next(Logits, []));
    }

    [Fact]
    public void Next_PicksArgMax_WhenTopKIsOne()
    {
        var sampler = new TokenSampler(new GenerationOptions { Temperature = 5, TopK = 1, Seed = 3 });

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(4, sampler.Next(Logits, [])));
    }

    [Fact]
    public void Next_SamplesOnlyAmongTopK()
    {
        var sampler = new TokenSampler(new GenerationOptions { Temperature = 10, TopK = 2, Seed = 3 });

        var seen = Enumerable.Range(0, 300).Select(_ => sampler.Next(Logits, [])).ToHashSet();

        Assert.Equal([0, 4], seen.Order());
    }

    [Fact]
    public void KeepTopP_KeepsSmallestNucleusReachingP()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05 (as logs): top_p 0.75 needs the first two; 0.85 the first three.
        double[] Scores() => [Math.Log(0.5), Math.Log(0.3), Math.Log(0.15), Math.Log(0.05)];
        var p75 = Scores();
        var p85 = Scores();

        TokenSampler.KeepTopP(p75, 0.75);
        TokenSampler.KeepTopP(p85, 0.85);

        Assert.Equal([true, true, false, false], p75.Select(double.IsFinite));
        Assert.Equal([true, true, true, false], p85.Select(double.IsFinite));
    }

    [Fact]
    public void Next_MatchesSoftmaxFrequencies_WhenTemperatureOne()
    {
        var sampler = new TokenSampler(new GenerationOptions { Temperature = 1, Seed = 11 });
        var expected = TokenSampler.Softmax(Logits.Select(l => (double)l).ToArray());

        var counts = new int[Logits.Length];
        for (var i = 0; i < 20000; i++) counts[sampler.Next(Logits, [])]++;

        for (var i = 0; i < counts.Length; i++) Assert.InRange(counts[i] / 20000.0, expected[i] - 0.015, expected[i] + 0.015);
    }

    [Fact]
    public void Next_ConcentratesOnArgMax_WhenTemperatureIsLow()
    {
        var sampler = new TokenSampler(new GenerationOptions { Temperature = 0.05, Seed = 1 });

        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal(4, sampler.Next(Logits, [])));
    }

    [Fact]
    public void ApplyRepetitionPenalty_DividesPositiveAndMultipliesNegativeScoresOfSeenTokens()
    {
        double[] scores = [2, 1, 0.5, -1, 3];

        TokenSampler.ApplyRepetitionPenalty(scores, [3, 4, 4], 2.0);

        Assert.Equal([2, 1, 0.5, -2, 1.5], scores);
    }

    [Fact]
    public void Next_AvoidsRepeats_WhenPenaltyIsHigh()
    {
        var sampler = new TokenSampler(new GenerationOptions { RepetitionPenalty = 4 });

        Assert.Equal(0, sampler.Next(Logits, [4]));
    }

    [Theory]
    [InlineData(-1, 0, 1.0, 1.0)]
    [InlineData(0, -1, 1.0, 1.0)]
    [InlineData(0, 0, 0.0, 1.0)]
    [InlineData(0, 0, 1.0, 0.0)]
    public void Constructor_RejectsOutOfRangeOptions(double temperature, int topK, double topP, double penalty)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TokenSampler(new GenerationOptions { Temperature = temperature, TopK = topK, TopP = topP, RepetitionPenalty = penalty }));
    }
}
