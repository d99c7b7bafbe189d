using System.Text.Json;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.SafeTensors;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

public class HfModelFolderTests
{
    private static readonly int[] Ids = [464, 3290, 318, 257, 1332, 13, 50256, 40];

    private static string SavedTinyModel(TempFolder temp, Gpt2Config? config = null, ulong seed = 5)
    {
        var dir = temp.Sub("model");
        HfModelFolder.CreateRandomFolder(dir, config ?? TinyGpt2.WithGpt2Vocab(), RepoPaths.Gpt2Tokenizer, seed);
        return dir;
    }

    [Fact]
    public void SaveThenLoad_GivesIdenticalLogits()
    {
        using var temp = new TempFolder();
        var (model, _) = TinyGpt2.RandomWeights(TinyGpt2.WithGpt2Vocab());
        using var __ = model;
        var before = TinyGpt2.Logits(model, Ids);

        HfModelFolder.Save(model, model.Config, temp.Sub("out"), RepoPaths.Gpt2Tokenizer);
        using var loaded = HfModelFolder.Load(temp.Sub("out"), Device.Cpu);

        Assert.Equal(0, Compare.RelativeError(TinyGpt2.Logits(loaded.Model, Ids), before));
        Assert.Equal(ModelConfig.FromGpt2(model.Config).ToJson(), loaded.Config.ToJson());
        Assert.Equal(model.Config, Gpt2ConfigJson.Parse(loaded.Config.ToJson()) with { OtherKeys = model.Config.OtherKeys });
    }

    [Fact]
    public void Save_WritesTheFilesTransformersWrites()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);

        Assert.Equal(["config.json", "generation_config.json", "merges.txt", "model.safetensors", "vocab.json"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json")));
        Assert.Equal("GPT2LMHeadModel", config.RootElement.GetProperty("architectures")[0].GetString());
        Assert.Equal("gpt2", config.RootElement.GetProperty("model_type").GetString());
        Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
        Assert.Equal(JsonValueKind.Null, config.RootElement.GetProperty("n_inner").ValueKind);
        using var weights = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        Assert.Equal("pt", weights.Metadata["format"]);
        Assert.All(weights.Tensors.Keys, k => Assert.StartsWith("transformer.", k)); // tied lm_head left out, as save_pretrained does
        Assert.Equal(2 + 2 * 12 + 2, weights.Tensors.Count);
        Assert.Equal([dir], Directory.GetDirectories(temp.Path)); // no temp folder left behind
    }

    [Fact]
    public void Save_ReplacesAnExistingFolderAndWritesExtraFiles()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp, seed: 1);
        File.WriteAllText(Path.Combine(dir, "stale.txt"), "old");
        using var model = Gpt2Model.CreateRandom(TinyGpt2.WithGpt2Vocab(), 2, Device.Cpu);

        HfModelFolder.Save(model, model.Config, dir, RepoPaths.Gpt2Tokenizer, extraJsonFiles: new Dictionary<string, string> { ["training_args.json"] = "{}" });

        Assert.False(File.Exists(Path.Combine(dir, "stale.txt")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(dir, "training_args.json")));
        Assert.Single(Directory.GetDirectories(temp.Path));
    }

    [Theory]
    [InlineData(ScalarType.Float16, 2e-3)]
    [InlineData(ScalarType.BFloat16, 2e-2)]
    public void Load_ReadsHalfPrecisionWeights_IntoRequestedDtype(ScalarType savedAs, double tolerance)
    {
        using var temp = new TempFolder();
        using var model = Gpt2Model.CreateRandom(TinyGpt2.WithGpt2Vocab() with { InitializerRange = 0.3 }, 3, Device.Cpu);
        HfModelFolder.Save(model, model.Config, temp.Sub("half"), RepoPaths.Gpt2Tokenizer, savedAs);

        using var asFloat = HfModelFolder.Load(temp.Sub("half"), Device.Cpu);
        using var asSaved = HfModelFolder.Load(temp.Sub("half"), Device.Cpu, savedAs);

        Assert.True(Compare.RelativeError(TinyGpt2.Logits(asFloat.Model, Ids), TinyGpt2.Logits(model, Ids)) < tolerance);
        Assert.Equal(savedAs, ((Decoder.DecoderModel)asSaved.Model).DType);
        Assert.Equal(ScalarType.Float32, ((Decoder.DecoderModel)asFloat.Model).DType);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Sub("half"), "config.json")));
        Assert.Equal(savedAs == ScalarType.Float16 ? "float16" : "bfloat16", config.RootElement.GetProperty("torch_dtype").GetString());
    }

    [Fact]
    public void Load_AcceptsKeysWithoutPrefix_AndAnExplicitTiedHead_AndMaskBuffers()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        var before = Logits(dir);
        CheckpointEdit.Rewrite(dir, tensors =>
        {
            var renamed = tensors.Select(t => t with { Name = t.Name["transformer.".Length..] }).ToList();
            var wte = renamed.Single(t => t.Name == "wte.weight");
            renamed.Add(wte with { Name = "lm_head.weight" });
            renamed.Add(new RawTensor("h.0.attn.bias", SafeTensorDType.F32, [1, 1, 2, 2], new byte[16]));
            return renamed;
        });

        Assert.Equal(0, Compare.RelativeError(Logits(dir), before));
    }

    [Fact]
    public void Load_UsesItsOwnLmHead_WhenUntied()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp, TinyGpt2.WithGpt2Vocab() with { TieWordEmbeddings = false });
        using var weights = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));

        Assert.Contains("lm_head.weight", weights.Tensors.Keys);
        using var loaded = HfModelFolder.Load(dir, Device.Cpu);
        Assert.Contains(loaded.Model.NamedParameters, p => p.Name == "lm_head.weight");
    }

    [Fact]
    public void Load_NamesEveryProblem_WhenKeysAreMissingUnexpectedOrMisshapen()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        CheckpointEdit.Rewrite(dir, tensors => tensors
            .Where(t => t.Name != "transformer.h.1.mlp.c_fc.bias")
            .Select(t => t.Name == "transformer.ln_f.bias" ? t with { Shape = [8, 4] } : t)
            .Append(new RawTensor("transformer.h.2.ln_1.weight", SafeTensorDType.F32, [32], new byte[128])));

        var error = Assert.Throws<CheckpointMismatchException>(() => HfModelFolder.Load(dir, Device.Cpu));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("missing key \"transformer.h.1.mlp.c_fc.bias\"", error.Message);
        Assert.Contains("unexpected key \"transformer.h.2.ln_1.weight\"", error.Message);
        Assert.Contains("\"transformer.ln_f.bias\" has shape [8, 4], config.json implies [32]", error.Message);
    }

    [Fact]
    public void Load_NamesTheKey_WhenConfigDisagreesWithWeights()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        var configPath = Path.Combine(dir, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"n_positions\": 48", "\"n_positions\": 64"));

        var error = Assert.Throws<CheckpointMismatchException>(() => HfModelFolder.Load(dir, Device.Cpu));

        Assert.Contains("\"transformer.wpe.weight\" has shape [48, 32], config.json implies [64, 32]", error.Message);
    }

    [Fact]
    public void Load_RefusesPickleOnlyFolder_WithConversionHint()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        File.Delete(Path.Combine(dir, "model.safetensors"));
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x80, 0x02]);

        var error = Assert.Throws<PickleCheckpointRefusedException>(() => HfModelFolder.Load(dir, Device.Cpu));

        Assert.Contains("safetensors", error.Message);
    }

    [Fact]
    public void Load_RefusesTruncatedSafetensors()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        var path = Path.Combine(dir, "model.safetensors");
        using (var stream = File.OpenWrite(path)) stream.SetLength(stream.Length - 100);

        var error = Assert.Throws<SafeTensorsFormatException>(() => HfModelFolder.Load(dir, Device.Cpu));

        Assert.Contains("model.safetensors", error.Message);
    }

    [Fact]
    public void Load_RefusesOverlappingOffsets()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        CheckpointEdit.WriteRaw(Path.Combine(dir, "model.safetensors"),
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12]);

        Assert.Throws<SafeTensorsFormatException>(() => HfModelFolder.Load(dir, Device.Cpu));
    }

    [Theory]
    [InlineData("\"activation_function\": \"gelu_new\"", "\"activation_function\": \"quick_gelu\"", "quick_gelu")]
    [InlineData("\"n_head\": 4", "\"n_head\": 5", "not divisible by n_head")]
    [InlineData("\"model_type\": \"gpt2\"", "\"model_type\": \"falcon\"", "model_type \"falcon\", which is not supported")]
    [InlineData("\"n_embd\": 32", "\"n_embd\": \"wide\"", "\"n_embd\" must be an integer")]
    public void Load_GivesClearError_WhenConfigIsMalformed(string find, string replace, string expectedText)
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        var configPath = Path.Combine(dir, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace(find, replace));

        var error = Assert.ThrowsAny<Exception>(() => HfModelFolder.Load(dir, Device.Cpu));

        Assert.Contains(expectedText, error.Message);
        Assert.True(error is InvalidDataException or NotSupportedException, error.GetType().Name);
    }

    [Fact]
    public void Load_GivesClearError_WhenConfigIsMissing()
    {
        using var temp = new TempFolder();
        var dir = SavedTinyModel(temp);
        File.Delete(Path.Combine(dir, "config.json"));

        var error = Assert.Throws<FileNotFoundException>(() => HfModelFolder.Load(dir, Device.Cpu));

        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void ConfigJson_KeepsUnknownKeys_OnRoundTrip()
    {
        var config = Gpt2ConfigJson.Parse("{\"model_type\":\"gpt2\",\"n_embd\":32,\"n_head\":4,\"task_specific_params\":{\"x\":{\"y\":1}}}");

        var written = Gpt2ConfigJson.ToJson(config);

        Assert.Contains("\"task_specific_params\"", written);
        Assert.Equal(config.NEmbd, Gpt2ConfigJson.Parse(written).NEmbd);
        Assert.Equal(768 * 0 + 128, Gpt2ConfigJson.Parse(written).InnerSize);
    }

    private static double[][] Logits(string dir)
    {
        using var loaded = HfModelFolder.Load(dir, Device.Cpu);
        return TinyGpt2.Logits(loaded.Model, Ids);
    }
}
