using System.Text.Json;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

public sealed class CheckpointFolderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<TensorToWrite> TinyModel() =>
    [
        TestFiles.Tensor("transformer.wte.weight", SafeTensorDType.F32, [16, 8], seed: 1),   // 512 bytes
        TestFiles.Tensor("transformer.wpe.weight", SafeTensorDType.F32, [4, 8], seed: 2),    // 128
        TestFiles.Tensor("transformer.h.0.attn.c_attn.weight", SafeTensorDType.F32, [8, 24], seed: 3), // 768
        TestFiles.Tensor("transformer.h.0.attn.c_attn.bias", SafeTensorDType.F32, [24], seed: 4),      // 96
        TestFiles.Tensor("transformer.ln_f.weight", SafeTensorDType.BF16, [8], seed: 5),     // 16
    ];

    private static byte[] BytesOf(TensorToWrite tensor)
    {
        var stream = new MemoryStream();
        tensor.WriteData(stream);
        return stream.ToArray();
    }

    private void AssertHolds(SafeTensorsCheckpoint checkpoint, List<TensorToWrite> tensors)
    {
        Assert.Equal(tensors.Select(t => t.Name).Order(), checkpoint.Names.Order());
        foreach (var t in tensors)
        {
            Assert.Equal(BytesOf(t), checkpoint.GetBytes(t.Name).ToArray());
            Assert.Equal(t.Shape, checkpoint.Get(t.Name).Shape);
            Assert.Equal(t.DType, checkpoint.Get(t.Name).DType);
        }
    }

    [Fact]
    public void OpenFolder_ReadsSingleFile_WhenModelSafetensorsPresent()
    {
        var tensors = TinyModel();
        var written = ShardedSafeTensorsWriter.Write(_dir.Path, tensors, maxShardBytes: 1 << 20, SafeTensorsWriter.PyTorchMetadata);
        Assert.Equal(["model.safetensors"], written);

        using var checkpoint = SafeTensorsCheckpoint.OpenFolder(_dir.Path);
        Assert.False(checkpoint.IsSharded);
        Assert.Equal("pt", checkpoint.Metadata["format"]);
        AssertHolds(checkpoint, tensors);
    }

    [Fact]
    public void ShardedWriteThenOpenFolder_RoundTrips_WhenModelExceedsShardSize()
    {
        var tensors = TinyModel();
        var written = ShardedSafeTensorsWriter.Write(_dir.Path, tensors, maxShardBytes: 700, SafeTensorsWriter.PyTorchMetadata);
        // Greedy in input order: [wte 512, wpe 128] = 640; [c_attn.weight 768] alone (bigger than the limit); [bias 96, ln_f 16].
        Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
                      "model.safetensors.index.json"], written);

        using var checkpoint = SafeTensorsCheckpoint.OpenFolder(_dir.Path);
        Assert.True(checkpoint.IsSharded);
        Assert.Equal(3, checkpoint.Files.Count);
        Assert.Equal(512 + 128 + 768 + 96 + 16, checkpoint.DeclaredTotalSize);
        Assert.EndsWith("model-00002-of-00003.safetensors", checkpoint.FileOf("transformer.h.0.attn.c_attn.weight").Path);
        AssertHolds(checkpoint, tensors);
    }

    [Fact]
    public void ShardedWrite_WritesIndexLikeTransformers()
    {
        ShardedSafeTensorsWriter.Write(_dir.Path, TinyModel(), maxShardBytes: 700);
        string text = File.ReadAllText(_dir.File("model.safetensors.index.json"));
        Assert.StartsWith("{\n  \"metadata\": {\n    \"total_size\": 1520\n  },\n  \"weight_map\": {\n", text);
        Assert.EndsWith("}\n", text);
        using var json = JsonDocument.Parse(text);
        var names = json.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void ShardedWrite_RemovesStaleWeightFiles_FromAnEarlierSave()
    {
        ShardedSafeTensorsWriter.Write(_dir.Path, TinyModel(), maxShardBytes: 700);
        File.WriteAllText(_dir.File("config.json"), "{}");
        ShardedSafeTensorsWriter.Write(_dir.Path, TinyModel(), maxShardBytes: 1 << 20);
        var files = Directory.GetFiles(_dir.Path).Select(Path.GetFileName).OfType<string>().Order().ToArray();
        Assert.Equal(["config.json", "model.safetensors"], files);
    }

    [Fact]
    public void OpenFolder_RefusesPickleOnlyFolder_WithConversionHint()
    {
        File.WriteAllBytes(_dir.File("pytorch_model.bin"), [0x80, 0x02]);
        File.WriteAllText(_dir.File("config.json"), "{}");
        var error = Assert.Throws<PickleCheckpointRefusedException>(() => SafeTensorsCheckpoint.OpenFolder(_dir.Path));
        Assert.Equal(["pytorch_model.bin"], error.PickleFiles);
        Assert.Contains("arbitrary code", error.Message);
        Assert.Contains("save_pretrained", error.Message);
        Assert.Contains("safe_serialization=True", error.Message);
        Assert.Contains(_dir.Path, error.Message);
    }

    [Fact]
    public void OpenFolder_RefusesShardedPickleFolder()
    {
        File.WriteAllText(_dir.File("pytorch_model.bin.index.json"), "{}");
        File.WriteAllBytes(_dir.File("pytorch_model-00001-of-00002.bin"), [0x80]);
        File.WriteAllBytes(_dir.File("pytorch_model-00002-of-00002.bin"), [0x80]);
        var error = Assert.Throws<PickleCheckpointRefusedException>(() => SafeTensorsCheckpoint.OpenFolder(_dir.Path));
        Assert.Equal(3, error.PickleFiles.Count);
    }

    [Fact]
    public void OpenFolder_PrefersSafetensors_WhenPickleAlsoPresent()
    {
        File.WriteAllBytes(_dir.File("pytorch_model.bin"), [0x80]);
        SafeTensorsWriter.Write(_dir.File("model.safetensors"), [TestFiles.Tensor("w", SafeTensorDType.F32, [1])]);
        using var checkpoint = SafeTensorsCheckpoint.OpenFolder(_dir.Path);
        Assert.True(checkpoint.Contains("w"));
    }

    [Fact]
    public void OpenFolder_ExplainsWhatIsExpected_WhenNoWeights()
    {
        File.WriteAllText(_dir.File("config.json"), "{}");
        File.WriteAllBytes(_dir.File("adapter_model.safetensors"), []);
        var error = Assert.Throws<ModelWeightsNotFoundException>(() => SafeTensorsCheckpoint.OpenFolder(_dir.Path));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("Found: adapter_model.safetensors, config.json", error.Message);
        Assert.Contains("rename it", error.Message);
    }

    [Fact]
    public void OpenFolder_SaysFolderIsEmpty_WhenEmpty()
    {
        Assert.Contains("The folder is empty", Assert.Throws<ModelWeightsNotFoundException>(() => SafeTensorsCheckpoint.OpenFolder(_dir.Path)).Message);
    }

    [Fact]
    public void OpenFolder_Throws_WhenFolderMissing()
    {
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensorsCheckpoint.OpenFolder(Path.Combine(_dir.Path, "nope")));
    }

    [Fact]
    public void OpenFolder_Throws_WhenSingleFileIsMalformed()
    {
        File.WriteAllBytes(_dir.File("model.safetensors"), [1, 2, 3]);
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.OpenFolder(_dir.Path));
        Assert.EndsWith("model.safetensors", error.FilePath);
    }

    [Fact]
    public void Get_Throws_WhenTensorUnknown()
    {
        ShardedSafeTensorsWriter.Write(_dir.Path, TinyModel(), maxShardBytes: 700);
        using var checkpoint = SafeTensorsCheckpoint.OpenFolder(_dir.Path);
        Assert.Contains("'lm_head.weight'", Assert.Throws<KeyNotFoundException>(() => checkpoint.Get("lm_head.weight")).Message);
    }
}
