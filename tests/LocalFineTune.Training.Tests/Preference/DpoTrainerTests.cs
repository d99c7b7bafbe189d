using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Preference;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>DPO end to end on a tiny GPT-2: it learns preferences, reports TRL's metrics, resumes bit-identically.</summary>
public class DpoTrainerTests
{
    private static readonly TrainingOptions Fast = new()
    {
        Method = TrainingMethod.Dpo, Epochs = 2, BatchSize = 8, LearningRate = 3e-3, MaxSeqLength = 32, Device = "cpu", Seed = 5, WarmupSteps = 2,
    };

    private static DpoRun RunFor(LoadedModel loaded, string baseDir, TrainingOptions options, DpoOptions? dpo = null,
        string? checkpoints = null, string? resume = null, ITrainingProgress? progress = null) => new()
        {
            Model = loaded.Model,
            Tokenizer = loaded.Tokenizer,
            FolderIO = new HfFolderIO(loaded.Config, baseDir),
            TrainingExamples = SyntheticPreferences.Training(),
            EvaluationExamples = SyntheticPreferences.HeldOut(),
            Options = dpo is null ? options : options with { Dpo = dpo },
            CheckpointDirectory = checkpoints,
            ResumeFrom = resume,
            Progress = progress ?? NullTrainingProgress.Instance,
        };

    private static byte[][] Weights(LoadedModel loaded) => loaded.Model.NamedParameters.Select(p => p.Parameter.ToBytes()).ToArray();

    [Fact]
    public void Train_RaisesHeldOutPreferenceAccuracyWellAboveChance()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"));
        using var loaded = HfModelFolder.Load(baseDir, Device.Cpu);
        var result = DpoTrainer.Train(RunFor(loaded, baseDir, Fast));

        var before = result.Before.Metrics![PreferenceMetrics.PreferenceAccuracy];
        var after = result.After.Metrics![PreferenceMetrics.PreferenceAccuracy];
        Assert.InRange(before, 0.3, 0.7); // a random model is at chance on this set by construction
        Assert.True(after >= 0.85, $"held-out preference accuracy {before:0.00} → {after:0.00}");
        Assert.True(result.After.Metrics[PreferenceMetrics.RewardsAccuracies] >= 0.85);
        Assert.True(result.After.Metrics[PreferenceMetrics.RewardsMargins] > 0);
        Assert.True(result.After.Loss < result.Before.Loss);
        Assert.Equal(Math.Log(2), result.Before.Loss, 5); // the policy starts as its reference
        Assert.Equal(0, result.Before.Metrics[PreferenceMetrics.RewardsAccuracies]);
    }

    [Fact]
    public void EveryStep_ReportsTrlsMetrics_ToProgressAndTheLogHistory()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"));
        using var loaded = HfModelFolder.Load(baseDir, Device.Cpu);
        var progress = new RecordingProgress();
        var result = DpoTrainer.Train(RunFor(loaded, baseDir, Fast with { Epochs = 1 }, progress: progress));

        string[] names = ["rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected"];
        Assert.Equal(result.State.GlobalStep, progress.Steps.Count);
        Assert.All(progress.Steps, s => Assert.All(names, n => Assert.True(double.IsFinite(s.Metrics![n]), n)));
        Assert.All(result.State.LogHistory, s => Assert.Equal(names.Order(), s.Metrics!.Keys.Where(names.Contains).Order()));
        var last = result.State.LogHistory[^1].Metrics!;
        Assert.Equal(last["rewards/chosen"] - last["rewards/rejected"], last["rewards/margins"], 9);
        Assert.True(last["logps/chosen"] < 0 && last["logps/rejected"] < 0);
        Assert.Contains("\"rewards/margins\"", result.State.ToJson()); // trainer_state.json / metrics.json carry them
        Assert.Equal(2, progress.Evaluations.Count);
    }

    [Fact]
    public void PrecomputedReference_GivesTheSameLossesAsOnTheFly()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"));
        var options = Fast with { Epochs = 1 };
        TrainingResult Train(bool precompute)
        {
            using var loaded = HfModelFolder.Load(baseDir, Device.Cpu);
            return DpoTrainer.Train(RunFor(loaded, baseDir, options, new DpoOptions { PrecomputeReference = precompute }));
        }
        var live = Train(false);
        var precomputed = Train(true);
        Assert.Equal(live.State.LogHistory.Count, precomputed.State.LogHistory.Count);
        for (var i = 0; i < live.State.LogHistory.Count; i++)
            Assert.Equal(live.State.LogHistory[i].Loss, precomputed.State.LogHistory[i].Loss, 5);
        Assert.Equal(live.After.Loss, precomputed.After.Loss, 5);
    }

    [Fact]
    public void Resume_FromACheckpoint_GivesBitIdenticalFinalWeights_WithDropoutOn()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"), dropout: 0.1);
        var options = Fast with { Epochs = 1, SaveSteps = 4, SaveTotalLimit = 0 };
        byte[][] uninterrupted;
        int steps;
        using (var a = HfModelFolder.Load(baseDir, Device.Cpu))
        {
            steps = DpoTrainer.Train(RunFor(a, baseDir, options, checkpoints: temp.Sub("ckpt"))).State.GlobalStep;
            uninterrupted = Weights(a);
        }
        using var b = HfModelFolder.Load(baseDir, Device.Cpu);
        var resumed = DpoTrainer.Train(RunFor(b, baseDir, options, checkpoints: temp.Sub("ckpt2"), resume: Path.Combine(temp.Sub("ckpt"), "checkpoint-4")));
        Assert.Equal(steps, resumed.State.GlobalStep);
        Assert.Equal(uninterrupted, Weights(b));
    }

    [Fact]
    public void Train_RefusesInvalidDpoOptions_NamingTheField()
    {
        using var temp = new TempFolder();
        var baseDir = TinyModels.CreateBase(temp.Sub("models"));
        using var loaded = HfModelFolder.Load(baseDir, Device.Cpu);
        var error = Assert.Throws<TrainingOptionsException>(() => DpoTrainer.Train(RunFor(loaded, baseDir, Fast, new DpoOptions { Beta = 3 })));
        Assert.Equal("dpo.beta", Assert.Single(error.Errors).Field);
    }

    private sealed class RecordingProgress : ITrainingProgress
    {
        public List<TrainingProgress> Steps { get; } = [];
        public List<EvaluationResult> Evaluations { get; } = [];
        public void OnStep(TrainingProgress progress) => Steps.Add(progress);
        public void OnEvaluation(EvaluationResult evaluation) => Evaluations.Add(evaluation);
    }
}
