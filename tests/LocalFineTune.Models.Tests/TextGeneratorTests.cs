using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

public class TextGeneratorTests
{
    private static readonly Lazy<Tokenizer> Gpt2Tokenizer = new(() => Tokenizer.FromFolder(RepoPaths.Gpt2Tokenizer));
    private static readonly int[] Prompt = [11, 40, 7, 7, 90, 3];

    [Fact]
    public void GenerateIds_GreedyTokensEqualReference()
    {
        var config = TinyGpt2.Config();
        var (model, values) = TinyGpt2.RandomWeights(config, seed: 2);
        using var _ = model;

        var ours = new TextGenerator(model, Gpt2Tokenizer.Value).GenerateIds(Prompt, new GenerationOptions { MaxNewTokens = 12 });

        Assert.Equal(new ReferenceGpt2(config, values).Greedy(Prompt, 12), ours.Ids);
        Assert.Equal(GenerationResult.Length, ours.FinishReason);
    }

    [Theory]
    [InlineData(0.0, 0, 1.0, 1.0)]
    [InlineData(0.9, 20, 0.9, 1.3)]
    public void GenerateIds_WithKvCache_EqualsWithout(double temperature, int topK, double topP, double penalty)
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.Config(), seed: 4);
        using var __ = model;
        var generator = new TextGenerator(model, Gpt2Tokenizer.Value);
        var options = new GenerationOptions
        { MaxNewTokens = 20, Temperature = temperature, TopK = topK, TopP = topP, RepetitionPenalty = penalty, Seed = 9 };

        using (var cache = ((ICausalLanguageModel)model).CreateCache()) Assert.NotNull(cache); // the cached path really runs
        var cached = generator.GenerateIds(Prompt, options);
        var uncached = generator.GenerateIds(Prompt, options with { UseKvCache = false });

        Assert.Equal(uncached.Ids, cached.Ids);
    }

    [Fact]
    public void GenerateIds_IsReproducible_WhenSeedRepeats_AndVariesOtherwise()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.Config(), seed: 5);
        using var __ = model;
        var generator = new TextGenerator(model, Gpt2Tokenizer.Value);
        var options = new GenerationOptions { MaxNewTokens = 16, Temperature = 1.5, Seed = 1 };

        var first = generator.GenerateIds(Prompt, options).Ids;
        var again = generator.GenerateIds(Prompt, options).Ids;
        var others = Enumerable.Range(2, 4).Select(s => generator.GenerateIds(Prompt, options with { Seed = (ulong)s }).Ids);

        Assert.Equal(first, again);
        Assert.Contains(others, o => !o.SequenceEqual(first));
    }

    [Fact]
    public void Generate_StopsBeforeStopString_AndStreamedPiecesAddUpToText()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.WithGpt2Vocab(), seed: 6);
        using var __ = model;
        var generator = new TextGenerator(model, Gpt2Tokenizer.Value);
        var free = generator.Generate("The fridge", new GenerationOptions { MaxNewTokens = 12 });
        var stop = free.Text.Substring(free.Text.Length / 2, 2);
        var expected = free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)];

        var pieces = new List<string>();
        var stopped = generator.Generate("The fridge", new GenerationOptions { MaxNewTokens = 12, StopStrings = [stop] }, pieces.Add);

        Assert.Equal(expected, stopped.Text);
        Assert.Equal(expected, string.Concat(pieces));
        Assert.Equal(GenerationResult.Stop, stopped.FinishReason);
        Assert.Equal(string.Concat(pieces), string.Concat(generator.Stream("The fridge", new GenerationOptions { MaxNewTokens = 12, StopStrings = [stop] })));
    }

    [Fact]
    public void Generate_StopsOnEos_KeepingItInIdsButNotInText()
    {
        var config = TinyGpt2.WithGpt2Vocab() with { TieWordEmbeddings = false };
        var (model, _) = TinyGpt2.RandomWeights(config, seed: 7);
        using var __ = model;
        var generator = new TextGenerator(model, Gpt2Tokenizer.Value);
        var firstGreedy = generator.Generate("Hi", new GenerationOptions { MaxNewTokens = 1 }).Ids[0];
        MakeEosWinWherever(model, firstGreedy);

        var result = generator.Generate("Hi", new GenerationOptions { MaxNewTokens = 10 });

        Assert.Equal([50256], result.Ids);
        Assert.Equal("", result.Text);
        Assert.Equal(GenerationResult.Stop, result.FinishReason);
    }

    [Fact]
    public void GenerateIds_StopsAtContextLength()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.Config(), seed: 8);
        using var __ = model;

        var result = new TextGenerator(model, Gpt2Tokenizer.Value).GenerateIds(Prompt, new GenerationOptions { MaxNewTokens = 100 });

        Assert.Equal(48 - Prompt.Length, result.Ids.Count);
        Assert.Equal(GenerationResult.Length, result.FinishReason);
    }

    [Fact]
    public async Task StreamAsync_Throws_WhenCancelled()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.WithGpt2Vocab(), seed: 8);
        using var __ = model;
        using var cancel = new CancellationTokenSource();
        var generator = new TextGenerator(model, Gpt2Tokenizer.Value);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in generator.StreamAsync("Hello", new GenerationOptions { MaxNewTokens = 40 }, cancel.Token))
                cancel.Cancel();
        });
    }

    /// <summary>lm_head row of EOS := 100 × the row of the greedy token, so EOS wins wherever that token would.</summary>
    private static void MakeEosWinWherever(Gpt2Model model, int greedyToken)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var head = model.NamedParameters.Single(p => p.Name == "lm_head.weight").Parameter;
        head.Select(0, 50256).CopyFrom(head.Select(0, greedyToken) * 100);
    }
}

/// <summary>Tensor.LiveCount is process-wide, so this runs alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(LiveTensorCount), DisableParallelization = true)]
public class LiveTensorCount;

[Collection(nameof(LiveTensorCount))]
public class TextGeneratorMemoryTests
{
    private static readonly int[] Prompt = [11, 40, 7, 7, 90, 3];

    [Fact]
    public void Generate_LeavesNoTensorsBehind()
    {
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.Config(), seed: 9);
        using var __ = model;
        var generator = new TextGenerator(model, Tokenizer.FromFolder(RepoPaths.Gpt2Tokenizer));
        generator.GenerateIds(Prompt, new GenerationOptions { MaxNewTokens = 2 });
        var live = Tensor.LiveCount;

        generator.GenerateIds(Prompt, new GenerationOptions { MaxNewTokens = 30 });

        Assert.Equal(live, Tensor.LiveCount);
    }
}
