using System.Text.Json.Nodes;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Families;
using LocalFineTune.Models.Lora;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.SafeTensors;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

/// <summary>LoRA through the linear-factory seam: start equals the base, merge, frozen base, PEFT format, settings.</summary>
public class LoraTests
{
    private static readonly int[] Ids = [5, 17, 3, 88, 42, 9, 61];

    public static TheoryData<string> Families => new() { "gpt2", "llama", "phi", "phi3", "qwen3" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Forward_GivesExactlyTheBaseLogits_WhenBIsZero(string family)
    {
        var spec = Spec(family);
        using var baseModel = DecoderInit.CreateRandom(spec, 7, Device.Cpu);
        using var lora = WithLora(baseModel, new LoraSettings { R = 4, Dropout = 0 }, out var factory);

        Assert.NotEmpty(factory.Adapters);
        Assert.Equal(TinyGpt2.Logits(baseModel, Ids), TinyGpt2.Logits(lora, Ids));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Merge_GivesTheUnmergedLogits_AndUnmergeRestoresTheBase(string family)
    {
        var spec = Spec(family);
        using var baseModel = DecoderInit.CreateRandom(spec, 7, Device.Cpu);
        using var lora = WithLora(baseModel, new LoraSettings { R = 4, Alpha = 8, Dropout = 0 }, out var factory);
        Randomize(factory);

        var unmerged = TinyGpt2.Logits(lora, Ids);
        Assert.True(Compare.RelativeError(unmerged, TinyGpt2.Logits(baseModel, Ids)) > 1e-3, "the adapter must change the logits");
        foreach (var adapter in factory.Adapters) adapter.Merge();
        var merged = TinyGpt2.Logits(lora, Ids);
        foreach (var adapter in factory.Adapters) adapter.Unmerge();

        Assert.True(MaxAbs(merged, unmerged) < 1e-5, $"merged vs unmerged differ by {MaxAbs(merged, unmerged):E2}");
        Assert.True(MaxAbs(TinyGpt2.Logits(lora, Ids), unmerged) < 1e-5);
    }

    [Fact]
    public void Backward_GivesGradientsOnlyToAdapterTensors_WhenBaseIsFrozen()
    {
        using var baseModel = DecoderInit.CreateRandom(Spec("llama"), 7, Device.Cpu);
        using var lora = WithLora(baseModel, new LoraSettings { R = 2, Dropout = 0 }, out var factory);
        Randomize(factory);

        using (DisposeScope.Enter()) { var l = lora.Forward(TinyGpt2.Ids(Ids)); (l * l).Mean().Backward(); };

        Assert.All(lora.NamedParameters, p => { Assert.False(p.Parameter.RequiresGrad, p.Name); Assert.Null(p.Parameter.Grad); });
        Assert.Equal(factory.Adapters.Count * 2, lora.TrainableParameters.Count);
        Assert.All(lora.TrainableParameters, p => { using var g = p.Parameter.Grad; Assert.NotNull(g); });
        Assert.Contains(lora.TrainableParameters, p => p.Name == "model.layers.0.self_attn.q_proj.lora_A.weight");
    }

    [Fact]
    public void Forward_AddsScaledLowRankUpdate_ComputedByHand()
    {
        // W [2, 3], A [1, 3], B [2, 1], x [1, 3]; alpha 3, r 1 → scaling 3 (and 3/√1 with rsLoRA).
        float[] w = [1, 0, 2, -1, 1, 0], a = [1, 2, 3], b = [0.5f, -1], x = [1, -1, 2];
        foreach (var rs in new[] { false, true })
        {
            var settings = new LoraSettings { R = 1, Alpha = 3, Dropout = 0, UseRsLora = rs };
            using var weight = Tensor.FromArray(w, 2, 3);
            var site = new LinearSite("m.q_proj", weight, null, LinearLayout.OutIn);
            using var lora = new LoraLinear(DenseLinearFactory.Instance.Create(site), site, Tensor.FromArray(a, 1, 3), Tensor.FromArray(b, 2, 1), settings.Scaling, 0);
            using var input = Tensor.FromArray(x, 1, 3);
            using var y = lora.Forward(input);
            // base: [1·1+0+2·2, -1-1+0] = [5, -2]; x·Aᵀ = 1-2+6 = 5; update = 3·5·[0.5, -1] = [7.5, -15]
            Assert.Equal(new[] { 12.5f, -17f }, y.ToArray<float>());
        }
        Assert.Equal(2.0, new LoraSettings { R = 16, Alpha = 32 }.Scaling);
        Assert.Equal(8.0, new LoraSettings { R = 16, Alpha = 32, UseRsLora = true }.Scaling);
    }

    [Theory]
    [InlineData("llama", "all-linear", 14)]       // 7 projections × 2 layers, never lm_head
    [InlineData("llama", "q_proj,v_proj", 4)]
    [InlineData("gpt2", "c_attn", 2)]
    [InlineData("gpt2", "all-linear", 8)]         // c_attn, c_proj (attn), c_fc, c_proj (mlp)
    [InlineData("phi3", "qkv_proj,gate_up_proj", 4)]
    [InlineData("phi", "dense,fc1,fc2", 6)]
    public void Targets_SelectProjectionsByModuleName(string family, string targets, int expected)
    {
        using var baseModel = DecoderInit.CreateRandom(Spec(family), 7, Device.Cpu);
        using var lora = WithLora(baseModel, new LoraSettings { R = 2, TargetModules = targets.Split(',') }, out var factory);

        Assert.Equal(expected, factory.Adapters.Count);
        Assert.DoesNotContain(factory.Adapters, l => l.Path.EndsWith("lm_head"));
    }

    [Theory]
    [InlineData(0, "q_proj", "lora.r")]
    [InlineData(4, "query", "lora.target_modules")]
    public void Validate_NamesTheField_WhenSettingsAreBad(int r, string target, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => new LoraSettings { R = r, TargetModules = [target] }.Validate());
        Assert.Equal(field, error.ParamName);
    }

    [Fact]
    public void Finish_NamesTargetModules_WhenTheTargetMatchesNothing()
    {
        using var baseModel = DecoderInit.CreateRandom(Spec("llama"), 7, Device.Cpu);
        var error = Assert.Throws<ArgumentException>(() => WithLora(baseModel, new LoraSettings { R = 2, TargetModules = ["c_attn"] }, out _).Dispose());
        Assert.Equal("lora.target_modules", error.ParamName);
        Assert.Contains("q_proj", error.Message);
    }

    [Theory]
    [InlineData("gpt2", true)]
    [InlineData("llama", false)]
    public void PeftAdapter_SavesPeftKeysAndConfig_AndLoadsBackTheSameModel(string family, bool fanInFanOut)
    {
        using var temp = new TempFolder();
        using var baseModel = DecoderInit.CreateRandom(Spec(family), 7, Device.Cpu);
        var settings = new LoraSettings { R = 4, Alpha = 8, Dropout = 0.1, UseRsLora = true };
        using var lora = WithLora(baseModel, settings, out var factory);
        Randomize(factory);
        PeftAdapter.Save(temp.Path, settings, factory.Adapters, "models/base/tiny");

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "adapter_config.json")))!;
        Assert.Equal("LORA", (string?)config["peft_type"]);
        Assert.Equal("CAUSAL_LM", (string?)config["task_type"]);
        Assert.Equal("models/base/tiny", (string?)config["base_model_name_or_path"]);
        Assert.Equal(4, (int?)config["r"]);
        Assert.Equal(8.0, (double?)config["lora_alpha"]);
        Assert.Equal(0.1, (double?)config["lora_dropout"]);
        Assert.Equal("none", (string?)config["bias"]);
        Assert.Equal(fanInFanOut, (bool?)config["fan_in_fan_out"]);
        Assert.True((bool?)config["use_rslora"]);
        Assert.True((bool?)config["inference_mode"]);
        Assert.NotEmpty(config["target_modules"]!.AsArray());
        using (var file = SafeTensorsFile.Open(Path.Combine(temp.Path, "adapter_model.safetensors")))
        {
            var first = factory.Adapters[0];
            var a = file.GetEntry("base_model.model." + first.Path + ".lora_A.weight");
            var b = file.GetEntry("base_model.model." + first.Path + ".lora_B.weight");
            Assert.Equal(new[] { 4L, first.InFeatures }, a.Shape);
            Assert.Equal(new[] { first.OutFeatures, 4L }, b.Shape);
            Assert.Equal(factory.Adapters.Count * 2, file.Tensors.Count);
        }

        var (loadedSettings, _, weights) = PeftAdapter.Load(temp.Path);
        using var reloaded = WithLora(baseModel, loadedSettings with { Dropout = 0 }, out _, weights);
        Assert.Equal(TinyGpt2.Logits(lora, Ids), TinyGpt2.Logits(reloaded, Ids));
        foreach (var (ta, tb) in weights.Values) { ta.Dispose(); tb.Dispose(); }
    }

    [Fact]
    public void Create_DrawsTheSameA_ForTheSameSeed()
    {
        using var baseModel = DecoderInit.CreateRandom(Spec("llama"), 7, Device.Cpu);
        using var one = WithLora(baseModel, new LoraSettings { R = 2, Seed = 5 }, out var f1);
        using var two = WithLora(baseModel, new LoraSettings { R = 2, Seed = 5 }, out var f2);
        var a1 = f1.Adapters[0].A.ToArray<float>();
        Assert.Equal(a1, f2.Adapters[0].A.ToArray<float>());
        var bound = 1 / Math.Sqrt(f1.Adapters[0].InFeatures);
        Assert.All(a1, v => Assert.InRange(v, -bound, bound));
        Assert.All(f1.Adapters[0].B.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    private static DecoderSpec Spec(string family) => family == "gpt2"
        ? Gpt2Family.Spec(TinyGpt2.Config(tied: true))
        : ModelConfig.Parse(TinyDecoder.Config(family)).Spec;

    /// <summary>A second model on copies of the base's weights, with LoRA layers built by the factory.</summary>
    private static DecoderModel WithLora(DecoderModel baseModel, LoraSettings settings, out LoraLinearFactory factory,
        IReadOnlyDictionary<string, (Tensor A, Tensor B)>? initial = null)
    {
        settings.Validate();
        factory = new LoraLinearFactory(settings, Device.Cpu, baseModel.Spec.Keys.LmHead, initial);
        Dictionary<string, Tensor> copies;
        using (NoGradScope.Enter()) copies = baseModel.NamedParameters.ToDictionary(p => p.Name, p => { var c = p.Parameter.Detach().Clone(); c.RequiresGrad = true; return c; });
        var model = new DecoderModel(baseModel.Spec, copies, Device.Cpu, factory);
        try { factory.Finish(model); }
        catch { model.Dispose(); throw; }
        return model;
    }

    private static void Randomize(LoraLinearFactory factory)
    {
        using var noGrad = NoGradScope.Enter();
        foreach (var adapter in factory.Adapters) adapter.B.NormalInPlace(0, 0.5);
    }

    private static double MaxAbs(double[][] a, double[][] b) =>
        a.Zip(b).Max(rows => rows.First.Zip(rows.Second).Max(p => Math.Abs(p.First - p.Second)));
}
