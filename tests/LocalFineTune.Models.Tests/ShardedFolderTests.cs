using System.Text.Json.Nodes;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

/// <summary>Sharded folders (model-0000N-of-0000M.safetensors + index) load like single files; broken ones name what is wrong.</summary>
public class ShardedFolderTests
{
    private static readonly int[] Ids = [5, 17, 3, 88, 42, 9, 61];

    [Theory]
    [InlineData(ScalarType.Float32, 0.0)]
    [InlineData(ScalarType.BFloat16, 2e-2)]
    public void ShardedSave_LoadsToTheSameLogits_AsOneFile(ScalarType dtype, double tolerance)
    {
        using var temp = new TempFolder();
        var config = ModelConfig.Parse(TinyDecoder.Config("llama", vocab: 50257));
        HfModelFolder.CreateRandomFolder(temp.Sub("single"), config, RepoPaths.Gpt2Tokenizer, seed: 9);
        HfModelFolder.CreateRandomFolder(temp.Sub("sharded"), config, RepoPaths.Gpt2Tokenizer, seed: 9, saveDtype: dtype, maxShardBytes: 600_000);

        var shards = Directory.GetFiles(temp.Sub("sharded"), "model-*-of-*.safetensors");
        Assert.True(shards.Length >= 2, $"expected several shards, got {shards.Length}");
        Assert.True(File.Exists(Path.Combine(temp.Sub("sharded"), "model.safetensors.index.json")));
        Assert.False(File.Exists(Path.Combine(temp.Sub("sharded"), "model.safetensors")));
        using var single = HfModelFolder.Load(temp.Sub("single"), Device.Cpu);
        using var sharded = HfModelFolder.Load(temp.Sub("sharded"), Device.Cpu);
        Assert.InRange(Compare.RelativeError(TinyGpt2.Logits(sharded.Model, Ids), TinyGpt2.Logits(single.Model, Ids)), 0, tolerance);
    }

    [Fact]
    public void MissingShard_IsNamed()
    {
        using var temp = new TempFolder();
        var dir = Sharded(temp);
        var victim = Directory.GetFiles(dir, "model-*-of-*.safetensors").Order().Last();
        File.Delete(victim);

        var error = Record.Exception(() => HfModelFolder.Load(dir, Device.Cpu).Dispose());
        Assert.NotNull(error);
        Assert.Contains(Path.GetFileName(victim), error.Message);
    }

    [Fact]
    public void IndexNamingAFileThatIsNotThere_IsNamed()
    {
        using var temp = new TempFolder();
        var dir = Sharded(temp);
        var indexPath = Path.Combine(dir, "model.safetensors.index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        var map = index["weight_map"]!.AsObject();
        var first = map.First().Key;
        map[first] = "model-00099-of-00099.safetensors";
        File.WriteAllText(indexPath, index.ToJsonString());

        var error = Record.Exception(() => HfModelFolder.Load(dir, Device.Cpu).Dispose());
        Assert.NotNull(error);
        Assert.Contains("model-00099-of-00099.safetensors", error.Message);
    }

    [Fact]
    public void ShapesThatDisagreeWithConfig_AreNamedKeyByKey()
    {
        using var temp = new TempFolder();
        var dir = Sharded(temp);
        var configPath = Path.Combine(dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["intermediate_size"] = (int)config["intermediate_size"]! * 2;
        File.WriteAllText(configPath, config.ToJsonString());

        var error = Assert.Throws<CheckpointMismatchException>(() => HfModelFolder.Load(dir, Device.Cpu).Dispose());
        Assert.Contains(error.Problems, p => p.Contains("mlp.up_proj.weight") && p.Contains("config.json implies"));
    }

    private static string Sharded(TempFolder temp)
    {
        var dir = temp.Sub("sharded");
        HfModelFolder.CreateRandomFolder(dir, ModelConfig.Parse(TinyDecoder.Config("llama", vocab: 50257)), RepoPaths.Gpt2Tokenizer, seed: 9, maxShardBytes: 600_000);
        return dir;
    }
}
