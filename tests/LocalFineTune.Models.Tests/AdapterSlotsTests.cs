using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

/// <summary>
/// Serving LoRA unmerged on a shared base (<see cref="AdapterSlots"/>): nothing active is exactly the base, an active
/// adapter gives the trained LoRA model's logits, adapters of other ranks and targets switch in and out cleanly.
/// </summary>
public sealed class AdapterSlotsTests : IDisposable
{
    private static readonly int[] Ids = [5, 17, 3, 88, 42, 9, 61];
    private readonly TempFolder _temp = new();

    public static TheoryData<string> Families => new() { "gpt2", "llama" };

    [Theory]
    [MemberData(nameof(Families))]
    public void NothingActive_GivesExactlyThePlainModelsLogits(string family)
    {
        var baseDir = CreateBase(family);
        using var plain = HfModelFolder.Load(baseDir, Device.Cpu);
        using var serving = ServingModel.Load(baseDir, Device.Cpu);

        Assert.NotEmpty(serving.Slots.Slots);
        Assert.DoesNotContain(serving.Slots.Slots.Keys, p => p.EndsWith("lm_head", StringComparison.Ordinal));
        Assert.Equal(TinyGpt2.Logits(plain.Model, Ids), TinyGpt2.Logits(serving.Model, Ids));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ActiveAdapter_GivesTheLoraModelsLogits_AndDeactivatingRestoresTheBase(string family)
    {
        var baseDir = CreateBase(family);
        var adapterDir = SaveTrainedAdapter(baseDir, new LoraSettings { R = 4, Alpha = 8, Dropout = 0 }, seed: 1, out var expected);
        using var serving = ServingModel.Load(baseDir, Device.Cpu);
        using var adapter = ServingAdapter.Load(adapterDir, serving.Device, serving.DType);
        var baseLogits = TinyGpt2.Logits(serving.Model, Ids);

        double[][] adapted;
        using (serving.Slots.Activate(adapter)) adapted = TinyGpt2.Logits(serving.Model, Ids);

        Assert.True(Compare.RelativeError(adapted, baseLogits) > 1e-3, "the adapter must change the logits");
        Assert.True(MaxAbs(adapted, expected) < 1e-5, $"slots vs LoraLinear differ by {MaxAbs(adapted, expected):E2}");
        Assert.Null(serving.Slots.Active);
        Assert.Equal(baseLogits, TinyGpt2.Logits(serving.Model, Ids));
    }

    [Fact]
    public void AdaptersOfOtherRanksAndTargets_SwitchWithoutLeavingAnythingBehind()
    {
        var baseDir = CreateBase("llama");
        var allLinear = SaveTrainedAdapter(baseDir, new LoraSettings { R = 4, Alpha = 8, Dropout = 0 }, seed: 1, out var expectedAll);
        var queryOnly = SaveTrainedAdapter(baseDir, new LoraSettings { R = 2, Alpha = 2, Dropout = 0, TargetModules = ["q_proj", "v_proj"] },
            seed: 2, out var expectedQuery);
        using var serving = ServingModel.Load(baseDir, Device.Cpu);
        using var first = ServingAdapter.Load(allLinear, serving.Device, serving.DType);
        using var second = ServingAdapter.Load(queryOnly, serving.Device, serving.DType);
        var baseLogits = TinyGpt2.Logits(serving.Model, Ids);

        foreach (var round in Enumerable.Range(0, 2))
        {
            using (serving.Slots.Activate(second)) Assert.True(MaxAbs(TinyGpt2.Logits(serving.Model, Ids), expectedQuery) < 1e-5, $"round {round}");
            Assert.Equal(baseLogits, TinyGpt2.Logits(serving.Model, Ids));
            using (serving.Slots.Activate(first)) Assert.True(MaxAbs(TinyGpt2.Logits(serving.Model, Ids), expectedAll) < 1e-5, $"round {round}");
        }
        Assert.Equal(4, second.Layers.Count); // q_proj and v_proj of 2 layers
        Assert.True(first.Layers.Count > second.Layers.Count);
    }

    [Fact]
    public void GreedyGeneration_WithActiveAdapter_EqualsTheMergedFolder()
    {
        var baseDir = CreateBase("gpt2");
        var adapterDir = SaveTrainedAdapter(baseDir, new LoraSettings { R = 4, Alpha = 16, Dropout = 0 }, seed: 3, out _, mergedDir: _temp.Sub("merged"));
        using var merged = HfModelFolder.Load(_temp.Sub("merged"), Device.Cpu);
        using var serving = ServingModel.Load(baseDir, Device.Cpu);
        using var adapter = ServingAdapter.Load(adapterDir, serving.Device, serving.DType);
        var options = new GenerationOptions { MaxNewTokens = 12, Temperature = 0 };

        var expected = new TextGenerator(merged.Model, merged.Tokenizer).GenerateIds([11, 22, 33], options).Ids;
        IReadOnlyList<int> served;
        using (serving.Slots.Activate(adapter)) served = new TextGenerator(serving.Model, serving.Loaded.Tokenizer).GenerateIds([11, 22, 33], options).Ids;
        var plain = new TextGenerator(serving.Model, serving.Loaded.Tokenizer).GenerateIds([11, 22, 33], options).Ids;

        Assert.Equal(expected, served);
        Assert.NotEqual(expected, plain);
    }

    [Fact]
    public void AdapterOfAnotherBase_IsRefusedNamingTheModule()
    {
        var llamaAdapter = SaveTrainedAdapter(CreateBase("llama"), new LoraSettings { R = 2, Dropout = 0 }, seed: 1, out _);
        using var gpt2 = ServingModel.Load(CreateBase("gpt2"), Device.Cpu);
        using var adapter = ServingAdapter.Load(llamaAdapter, gpt2.Device, gpt2.DType);

        var error = Assert.Throws<ArgumentException>(() => gpt2.Slots.Activate(adapter));
        Assert.Contains("model.layers.0.", error.Message);
        Assert.Contains("another base", error.Message);
        Assert.Null(gpt2.Slots.Active);
    }

    [Fact]
    public void SecondActivation_WhileOneIsActive_IsRefused()
    {
        var baseDir = CreateBase("gpt2");
        var adapterDir = SaveTrainedAdapter(baseDir, new LoraSettings { R = 2, Dropout = 0 }, seed: 1, out _);
        using var serving = ServingModel.Load(baseDir, Device.Cpu);
        using var adapter = ServingAdapter.Load(adapterDir, serving.Device, serving.DType);

        using var active = serving.Slots.Activate(adapter);
        Assert.Throws<InvalidOperationException>(() => serving.Slots.Activate(null));
    }

    private string CreateBase(string family)
    {
        var dir = _temp.Sub("base-" + family);
        if (Directory.Exists(dir)) return dir;
        if (family == "gpt2")
            HfModelFolder.CreateRandomFolder(dir, new Gpt2Config { VocabSize = 50257, NPositions = 64, NEmbd = 16, NLayer = 2, NHead = 2 },
                RepoPaths.Gpt2Tokenizer, seed: 11);
        else
            HfModelFolder.CreateRandomFolder(dir, ModelConfig.Parse(TinyDecoder.Config(family, vocab: 50257)), RepoPaths.Gpt2Tokenizer, seed: 11);
        return dir;
    }

    /// <summary>A LoRA model on the base with B drawn from a seeded generator (as if trained), saved in PEFT format; its logits on <see cref="Ids"/>.</summary>
    private string SaveTrainedAdapter(string baseDir, LoraSettings settings, int seed, out double[][] logits, string? mergedDir = null)
    {
        using var lora = AdapterFolders.LoadWithNewAdapter(baseDir, settings, Device.Cpu);
        lora.Model.Training = false;
        var random = new Random(seed);
        using (NoGradScope.Enter())
            foreach (var layer in lora.Lora!.Adapters)
            {
                var values = Enumerable.Range(0, (int)layer.B.NumEl).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
                using var b = Tensor.FromArray(values, layer.B.Shape);
                layer.B.CopyFrom(b);
            }
        logits = TinyGpt2.Logits(lora.Model, Ids);
        var dir = _temp.Sub($"adapter-{Path.GetFileName(baseDir)}-{seed}");
        AdapterFolders.SaveAdapter(lora, dir);
        if (mergedDir is not null) AdapterFolders.SaveMerged(lora, mergedDir);
        return dir;
    }

    private static double MaxAbs(double[][] a, double[][] b) =>
        a.Zip(b).Max(rows => rows.First.Zip(rows.Second).Max(p => Math.Abs(p.First - p.Second)));

    public void Dispose() => _temp.Dispose();
}
