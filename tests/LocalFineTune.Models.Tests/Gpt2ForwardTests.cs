using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

public class Gpt2ForwardTests
{
    private static readonly int[] Prompt = [5, 17, 3, 88, 42, 42, 7, 61, 0, 96, 12];

    [Theory]
    [InlineData(true, "gelu_new")]
    [InlineData(false, "gelu_new")]
    [InlineData(true, "relu")]
    public void Forward_MatchesFloat64Reference_WhenFp32(bool tied, string activation)
    {
        var config = TinyGpt2.Config(tied: tied, activation: activation);
        var (model, values) = TinyGpt2.RandomWeights(config);
        using var _ = model;

        var actual = TinyGpt2.Logits(model, Prompt);
        var expected = new ReferenceGpt2(config, values).Forward(Prompt);

        Assert.True(Compare.RelativeError(actual, expected) < 1e-4, $"relative error {Compare.RelativeError(actual, expected):E2}");
    }

    [Fact]
    public void Forward_MatchesReference_WhenAttentionScaledByInverseLayerIndex()
    {
        var config = TinyGpt2.Config() with { ScaleAttnByInverseLayerIdx = true };
        var (model, values) = TinyGpt2.RandomWeights(config, seed: 3);
        using var _ = model;

        var error = Compare.RelativeError(TinyGpt2.Logits(model, Prompt), new ReferenceGpt2(config, values).Forward(Prompt));

        Assert.True(error < 1e-4, $"relative error {error:E2}");
    }

    [Fact]
    public void Forward_WithKvCacheChunks_EqualsOneFullPass()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.Config());
        using var __ = model;
        var full = TinyGpt2.Logits(model, Prompt);

        using var cache = model.CreateCache();
        var pieces = new List<double[]>();
        foreach (var chunk in new[] { Prompt[..4], Prompt[4..5], Prompt[5..9], Prompt[9..] })
            pieces.AddRange(ForwardCached(model, cache, chunk));

        Assert.Equal(Prompt.Length, cache.Length);
        Assert.True(Compare.RelativeError(pieces.ToArray(), full) < 1e-5);
    }

    [Fact]
    public void Forward_Throws_WhenSequenceExceedsContext()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.Config());
        using var __ = model;
        using var scope = DisposeScope.Enter();

        var error = Assert.Throws<ArgumentException>(() => model.Forward(TinyGpt2.Ids(new int[49])));

        Assert.Contains("context length 48", error.Message);
    }

    [Fact]
    public void CreateRandom_GivesSameWeights_WhenSeedRepeats()
    {
        var config = TinyGpt2.Config();
        using var a = Gpt2Model.CreateRandom(config, 7, Device.Cpu);
        using var b = Gpt2Model.CreateRandom(config, 7, Device.Cpu);
        using var c = Gpt2Model.CreateRandom(config, 8, Device.Cpu);

        Assert.True(a.NamedParameters.Zip(b.NamedParameters).All(p => p.First.Parameter.Equal(p.Second.Parameter)));
        Assert.False(a.NamedParameters[0].Parameter.Equal(c.NamedParameters[0].Parameter));
    }

    [Fact]
    public void CreateRandom_InitialisesLikeTransformers()
    {
        var config = TinyGpt2.Config(vocab: 2000) with { NLayer = 8 };
        using var model = Gpt2Model.CreateRandom(config, 1, Device.Cpu);
        var byName = model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter);

        double Std(string name) => Std2(byName[name].ToArray<float>());

        Assert.InRange(Std("transformer.wte.weight"), 0.019, 0.021);
        Assert.InRange(Std("transformer.h.0.attn.c_attn.weight"), 0.018, 0.022);
        Assert.InRange(Std("transformer.h.0.mlp.c_proj.weight"), 0.02 / 4 * 0.95, 0.02 / 4 * 1.05); // 1/sqrt(2·8) = 1/4
        Assert.All(byName["transformer.h.3.ln_2.weight"].ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.All(byName["transformer.h.3.attn.c_attn.bias"].ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.True(byName.Values.All(p => p.RequiresGrad));
        Assert.DoesNotContain("lm_head.weight", byName.Keys);
    }

    [Fact]
    public void Forward_IsDeterministicInEval_AndDropsOutInTraining()
    {
        using var model = Gpt2Model.CreateRandom(TinyGpt2.Config() with { EmbdPdrop = 0.5 }, 1, Device.Cpu);
        var eval1 = TinyGpt2.Logits(model, Prompt);
        var eval2 = TinyGpt2.Logits(model, Prompt);
        model.Training = true;
        var train = TinyGpt2.Logits(model, Prompt);

        Assert.Equal(0, Compare.RelativeError(eval1, eval2));
        Assert.True(Compare.RelativeError(train, eval1) > 1e-3);
    }

    private static IEnumerable<double[]> ForwardCached(Gpt2Model model, KeyValueCache cache, int[] chunk)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var logits = model.Forward(TinyGpt2.Ids(chunk), cache).To(ScalarType.Float64).ToArray<double>();
        return Enumerable.Range(0, chunk.Length).Select(t => logits.AsSpan(t * model.VocabSize, model.VocabSize).ToArray()).ToList();
    }

    private static double Std2(float[] values)
    {
        var mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }
}
