using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Training.Tests;

public class FineTuneJobTests
{
    private static readonly TrainingOptions Fast = new()
    {
        Epochs = 2, BatchSize = 4, LearningRate = 2e-3, MaxSeqLength = 48, Device = "cpu",
    };

    [Theory]
    [InlineData("data.csv")]
    [InlineData("chat.jsonl")]
    [InlineData("text.jsonl")]
    public void EveryDatasetFormat_Trains_IntoATimestampedFolderThatBeatsTheBase(string file)
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var content = file switch { "data.csv" => SampleData.Csv(20), "chat.jsonl" => SampleData.Chat(20), _ => SampleData.Text(40) };
        var outcome = FineTuneJob.Run(new FineTuneRequest
        {
            Model = "tiny", Data = temp.Write(file, content), ModelsRoot = root, Options = Fast,
            StartedAt = new DateTime(2024, 1, 15, 10, 30, 45),
        }, NullTrainingProgress.Instance);

        Assert.Equal("tiny-finetuned-20240115_103045", outcome.Name);
        Assert.True(outcome.Result.After.Loss < outcome.Result.Before.Loss, $"{outcome.Result.Before.Loss} → {outcome.Result.After.Loss}");
        foreach (var name in new[] { "config.json", "model.safetensors", "vocab.json", "training_args.json", "metrics.json", "trainer_state.json" })
            Assert.True(File.Exists(Path.Combine(outcome.OutputDirectory, name)), name);
        Assert.Empty(Directory.GetDirectories(root, ".*"));
        var listed = Assert.Single(FineTunedModels.List(root));
        Assert.True(listed.Latest);
        Assert.Equal("tiny", listed.BaseModel);
    }

    [Fact]
    public void Cancellation_LeavesNoOutputFolder()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        using var cts = new CancellationTokenSource();
        var progress = new RecordingProgress { OnEachStep = _ => cts.Cancel() };
        Assert.ThrowsAny<OperationCanceledException>(() => FineTuneJob.Run(new FineTuneRequest
        {
            Model = "tiny", Data = temp.Write("d.csv", SampleData.Csv(20)), ModelsRoot = root, Options = Fast,
        }, progress, cts.Token));
        Assert.Equal(["base"], Directory.GetDirectories(root).Select(Path.GetFileName));
        Assert.Empty(FineTunedModels.List(root));
    }

    [Fact]
    public void InvalidData_IsRefusedWithTheValidationReport()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var error = Assert.Throws<DatasetInvalidException>(() => FineTuneJob.Run(new FineTuneRequest
        {
            Model = "tiny", Data = temp.Write("d.csv", SampleData.Csv(3)), ModelsRoot = root, Options = Fast,
        }, NullTrainingProgress.Instance));
        Assert.Contains("invalid_n_examples", error.Report.ToJson());
        Assert.Empty(FineTunedModels.List(root));
    }

    [Fact]
    public void OutputNames_NeverOverwrite_AndLatestIsTheNewest()
    {
        using var temp = new TempFolder();
        var at = new DateTime(2024, 1, 15, 10, 30, 45);
        var first = OutputFolders.NewName(temp.Path, "gpt2", at);
        Assert.Equal("gpt2-finetuned-20240115_103045", first);
        MakeModelFolder(temp.Sub(first));
        var second = OutputFolders.NewName(temp.Path, "gpt2", at);
        Assert.Equal("gpt2-finetuned-20240115_103045-2", second);
        MakeModelFolder(temp.Sub(second));
        MakeModelFolder(temp.Sub("phi-finetuned-20240114_150000"));
        var list = FineTunedModels.List(temp.Path);
        Assert.Equal([second, first, "phi-finetuned-20240114_150000"], list.Select(m => m.Name));
        Assert.Equal([true, false, false], list.Select(m => m.Latest));
        Assert.Equal(temp.Sub(second), FineTunedModels.Latest(temp.Path));
    }

    private static void MakeModelFolder(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
    }
}
