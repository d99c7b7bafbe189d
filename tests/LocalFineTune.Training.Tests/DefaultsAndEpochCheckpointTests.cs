using System.Text.Json.Nodes;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Training.Tests;

/// <summary>Issue 12: one resolver for defaults, "auto" batch that keeps optimizer steps, end-of-epoch checkpoints, output root.</summary>
public class DefaultsAndEpochCheckpointTests
{
    [Fact]
    public void For_TakesTheBundledBasesOwnLearningRate_FromItsDefaultsFile()
    {
        var defaults = TrainingDefaults.For(Repo.TinyGpt2Dir);

        Assert.Equal(1e-3, defaults.LearningRate);
        Assert.Equal(new TrainingOptions() with { LearningRate = 1e-3 }, defaults);
    }

    [Fact]
    public void Apply_LaysGivenFieldsOverTheBaseDefaults_AndRefusesUnknownOnesWhenStrict()
    {
        using var temp = new TempFolder();
        temp.Write(TrainingDefaults.FileName, """{"learning_rate": 5e-4, "epochs": 2}""");

        var applied = TrainingDefaults.Apply(temp.Path, new JsonObject { ["epochs"] = 4 }, strict: true);

        Assert.Equal(5e-4, applied.LearningRate);
        Assert.Equal(4, applied.Epochs.Value);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => TrainingDefaults.Apply(temp.Path, new JsonObject { ["epoch"] = 4 }, strict: true));
    }

    [Fact]
    public void For_NamesTheFile_WhenTheBasesDefaultsFileIsBroken()
    {
        using var temp = new TempFolder();
        temp.Write(TrainingDefaults.FileName, """{"learnin_rate": 1e-3}""");

        var error = Assert.Throws<InvalidDataException>(() => TrainingDefaults.For(temp.Path));

        Assert.Contains(TrainingDefaults.FileName, error.Message);
    }

    [Fact]
    public void For_ContinuesAtTheTrainedRate_WhenAFineTunedFolderHasNoDefaultsFile()
    {
        using var temp = new TempFolder();
        temp.Write("training_args.json", (new TrainingOptions() with { LearningRate = 3e-4 }).ToJson());

        Assert.Equal(3e-4, TrainingDefaults.For(temp.Path).LearningRate);
        Assert.Equal(new TrainingOptions().LearningRate, TrainingDefaults.For(temp.Sub("nothing-here")).LearningRate);
    }

    [Theory]
    [InlineData(115, 1, 4)]   // the sample dataset after its 10% split: 29 steps per epoch, not 2
    [InlineData(2000, 1, 64)]
    [InlineData(2000, 4, 16)]
    [InlineData(20, 1, 1)]
    [InlineData(1, 1, 1)]
    public void StepCap_KeepsSixteenOptimizerStepsPerEpoch_WhenBatchSizeIsAuto(int sequences, int accumulation, int expected) =>
        Assert.Equal(expected, BatchSizeEstimator.StepCap(sequences, accumulation));

    [Fact]
    public void Train_SavesACheckpointAtTheEndOfEachOfTheLastEpochs_WhenSaveLastEpochsIsSet()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var checkpoints = new List<int>();
        var outcome = FineTuneJob.Run(new FineTuneRequest
        {
            Model = "tiny", Data = temp.Write("d.csv", SampleData.Csv(20)), ModelsRoot = root, ValidationSplit = 0,
            Options = new TrainingOptions { Epochs = 4, BatchSize = 10, LearningRate = 1e-3, MaxSeqLength = 32, Device = "cpu", SaveLastEpochs = 3, SaveTotalLimit = 0 },
        }, new CheckpointRecorder(checkpoints));

        Assert.Equal(2, outcome.Result.Resolved.StepsPerEpoch);
        Assert.Equal([4, 6, 8], checkpoints);
    }

    [Fact]
    public void Run_LooksUpTheBaseUnderTheModelsRoot_AndWritesUnderTheOutputRoot()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var outcome = FineTuneJob.Run(new FineTuneRequest
        {
            Model = "tiny", Data = temp.Write("d.csv", SampleData.Csv(20)), ModelsRoot = root, OutputRoot = temp.Sub("out"),
            Options = new TrainingOptions { Epochs = 1, BatchSize = 10, MaxSeqLength = 32, Device = "cpu" },
        }, NullTrainingProgress.Instance);

        Assert.Equal(temp.Sub("out"), Path.GetDirectoryName(outcome.OutputDirectory));
        Assert.Equal(["base"], Directory.GetDirectories(root).Select(Path.GetFileName));
    }

    [Fact]
    public void Resolve_DoesNotPromiseTheBundledBase_WhenItIsTheOneMissing()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<DirectoryNotFoundException>(() => BaseModels.Resolve(BaseModels.BundledName, temp.Path));

        Assert.Contains("--models-root", error.Message);
        Assert.DoesNotContain("always works", error.Message);
    }

    private sealed class CheckpointRecorder(List<int> steps) : ITrainingProgress
    {
        public void OnStep(TrainingProgress progress) { }
        public void OnCheckpoint(int step, string path)
        {
            Assert.True(TrainingCheckpoints.IsComplete(path));
            steps.Add(step);
        }
    }
}
