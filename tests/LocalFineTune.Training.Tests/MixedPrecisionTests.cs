using LocalFineTune.Datasets.Reading;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Tests;

/// <summary>The "dtype" option: bfloat16 is mixed precision (float32 master weights, bf16 matmuls), float32 the CPU default.</summary>
public class MixedPrecisionTests
{
    private static readonly TrainingOptions Fast = new()
    {
        Epochs = 2, BatchSize = 4, LearningRate = 1e-2, MaxSeqLength = 32, Device = "cpu", Seed = 5, WarmupSteps = 1,
    };

    private static (TrainingResult Result, byte[][] Weights, ScalarType WeightType) Train(string baseDir, string data, string dtype)
    {
        using var loaded = HfModelFolder.Load(baseDir, Device.Cpu);
        var result = Trainer.Train(new TrainingRun
        {
            Model = loaded.Model, Tokenizer = loaded.Tokenizer, FolderIO = new HfFolderIO(loaded.Config, baseDir),
            TrainingExamples = DatasetReader.Read(data).Examples, Options = Fast with { Dtype = dtype },
        });
        var weights = loaded.Model.NamedParameters.Select(p => p.Parameter.ToBytes()).ToArray();
        return (result, weights, loaded.Model.NamedParameters.First().Parameter.DType);
    }

    [Fact]
    public void BFloat16_Trains_KeepsFloat32Weights_AndStaysCloseToFloat32()
    {
        using var temp = new TempFolder();
        var baseDir = FamilyTrainingTests.CreateBase(temp.Sub("models"), "llama");
        var data = temp.Write("d.csv", SampleData.Csv(8));

        var full = Train(baseDir, data, ComputeDtype.Float32);
        var mixed = Train(baseDir, data, ComputeDtype.BFloat16);

        Assert.Equal(ScalarType.Float32, mixed.WeightType);
        Assert.True(mixed.Result.After.Loss < mixed.Result.Before.Loss - 0.3, $"bf16: eval loss {mixed.Result.Before.Loss} → {mixed.Result.After.Loss}");
        // Autocast really ran: bf16 rounding changes the numbers, but only a little.
        Assert.NotEqual(full.Weights, mixed.Weights);
        Assert.InRange(Math.Abs(mixed.Result.Before.Loss - full.Result.Before.Loss), 1e-7, 0.05);
        Assert.InRange(Math.Abs(mixed.Result.After.Loss - full.Result.After.Loss), 0, 0.25 * full.Result.After.Loss);
    }

    [Theory]
    [InlineData("auto", "cpu", "float32")]
    [InlineData(null, "cpu", "float32")]
    [InlineData("bf16", "cpu", "bfloat16")]
    [InlineData("BFloat16", "cpu", "bfloat16")]
    [InlineData("fp32", "cpu", "float32")]
    public void Resolve_GivesTheCanonicalName(string? asked, string device, string expected) =>
        Assert.Equal(expected, ComputeDtype.Resolve(asked, device));

    [Fact]
    public void JobCreation_StoresTheResolvedDtype()
    {
        using var temp = new TempFolder();
        var baseDir = FamilyTrainingTests.CreateBase(temp.Sub("models"), "llama");
        var resolved = MethodResolver.Resolve(new TrainingOptions { Device = "cpu" }, baseDir, deviceMemoryBytes: 1L << 40);
        Assert.Equal("float32", resolved.Options.Dtype);
        Assert.Contains("\"dtype\": \"float32\"", resolved.Options.ToJson());
    }

    [Fact]
    public void UnknownDtype_IsRefusedNamingTheField()
    {
        var errors = TrainingOptionsValidator.Validate(new TrainingOptions { Dtype = "float8" });
        var error = Assert.Single(errors);
        Assert.Equal("dtype", error.Field);
        Assert.Contains("bfloat16", error.Message);
    }
}
