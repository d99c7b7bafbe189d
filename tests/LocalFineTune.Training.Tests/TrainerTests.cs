using LocalFineTune.Datasets.Reading;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Tests;

public class TrainerTests
{
    private static readonly TrainingOptions Fast = new()
    {
        Epochs = 2, BatchSize = 4, LearningRate = 1e-3, MaxSeqLength = 48, Device = "cpu", Seed = 11, WarmupSteps = 1,
    };

    private static TrainingRun RunFor(LoadedModel loaded, string baseDir, string data, TrainingOptions options,
        string? checkpoints = null, string? resume = null) => new()
        {
            Model = loaded.Model,
            Tokenizer = loaded.Tokenizer,
            FolderIO = new HfFolderIO(loaded.Config, baseDir),
            TrainingExamples = DatasetReader.Read(data).Examples,
            Options = options,
            CheckpointDirectory = checkpoints,
            ResumeFrom = resume,
        };

    private static byte[][] Weights(LoadedModel loaded) => loaded.Model.NamedParameters.Select(p => p.Parameter.ToBytes()).ToArray();

    [Fact]
    public void Resume_FromACheckpoint_GivesBitIdenticalFinalWeights_WithDropoutOn()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"), dropout: 0.1);
        var data = temp.Write("d.csv", SampleData.Csv(24));
        var options = Fast with { SaveSteps = 5, SaveTotalLimit = 0 };

        byte[][] uninterrupted;
        using (var a = HfModelFolder.Load(baseDir, Device.Cpu))
        {
            var result = Trainer.Train(RunFor(a, baseDir, data, options, temp.Sub("ckpt")));
            Assert.Equal(12, result.State.GlobalStep);
            uninterrupted = Weights(a);
        }
        var checkpoint = Path.Combine(temp.Sub("ckpt"), "checkpoint-5");
        Assert.True(TrainingCheckpoints.IsComplete(checkpoint));
        using var b = HfModelFolder.Load(baseDir, Device.Cpu); // a fresh process would start from the base, too
        var resumed = Trainer.Train(RunFor(b, baseDir, data, options, temp.Sub("ckpt2"), resume: checkpoint));
        Assert.Equal(12, resumed.State.GlobalStep);
        Assert.Equal(uninterrupted, Weights(b));
    }

    [Fact]
    public void SameSeedAndData_GiveTheSameWeights_AndAnotherSeedDoesNot()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"), dropout: 0.1);
        var data = temp.Write("d.csv", SampleData.Csv(12));
        byte[][] Train(int seed)
        {
            using var m = HfModelFolder.Load(baseDir, Device.Cpu);
            Trainer.Train(RunFor(m, baseDir, data, Fast with { Seed = seed, Epochs = 1 }));
            return Weights(m);
        }
        var first = Train(1);
        Assert.Equal(first, Train(1));
        Assert.NotEqual(first, Train(2));
    }

    [Fact]
    public void EvalLoss_Decreases_AndProgressIsReportedEveryStep()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"));
        using var m = HfModelFolder.Load(baseDir, Device.Cpu);
        var progress = new RecordingProgress();
        var result = Trainer.Train(RunFor(m, baseDir, temp.Write("d.csv", SampleData.Csv(16)), Fast with { EvalSteps = 4, LearningRate = 1e-2 }) with { Progress = progress });
        Assert.True(result.After.Loss < result.Before.Loss - 0.5, $"eval loss {result.Before.Loss} → {result.After.Loss}");
        Assert.Equal(result.State.TotalSteps, progress.Steps.Count);
        Assert.Equal([0, 4, 8], progress.Evaluations.Select(e => e.Step));
        Assert.All(progress.Steps, s => Assert.True(s.TokensPerSecond > 0 && double.IsFinite(s.GradNorm)));
        Assert.Equal(result.State.TotalSteps, progress.Steps[^1].Step);
    }

    [Fact]
    public void Cancellation_StopsWithinOneStep()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"));
        using var m = HfModelFolder.Load(baseDir, Device.Cpu);
        using var cts = new CancellationTokenSource();
        var progress = new RecordingProgress { OnEachStep = _ => cts.Cancel() };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Train(RunFor(m, baseDir, temp.Write("d.csv", SampleData.Csv(16)), Fast) with { Progress = progress }, cts.Token));
        Assert.Single(progress.Steps);
    }
}

internal sealed class RecordingProgress : ITrainingProgress
{
    public List<TrainingProgress> Steps { get; } = [];
    public List<EvaluationResult> Evaluations { get; } = [];
    public Action<TrainingProgress>? OnEachStep { get; init; }

    public void OnStep(TrainingProgress progress)
    {
        Steps.Add(progress);
        OnEachStep?.Invoke(progress);
    }

    public void OnEvaluation(EvaluationResult evaluation) => Evaluations.Add(evaluation);
}
