using System.Text.Json.Nodes;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Training.Tests;

/// <summary>LoRA jobs end to end: merged + PEFT adapter output, adapter-only output, adapter checkpoints, resume, next month's retrain.</summary>
public class LoraTrainingTests
{
    private static readonly TrainingOptions Fast = new()
    {
        Epochs = 2, BatchSize = 4, LearningRate = 1e-2, MaxSeqLength = 32, Device = "cpu", Seed = 5,
        Method = TrainingMethod.Lora, Lora = new LoraOptions { R = 4, Alpha = 8, Dropout = 0.1 },
    };

    private static readonly long[] Ids = [5, 17, 3, 88, 42, 9, 61];

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    [InlineData("mistral")]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("phi")]
    [InlineData("phi3")]
    public void LoraJob_PublishesMergedWeightsAndAPeftAdapter_ThatGiveTheSameLogits(string family)
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        var baseDir = CreateBase(root, family);
        var outcome = Run(root, temp.Write("d.csv", SampleData.Csv(16)), Fast);

        Assert.True(outcome.Result.After.Loss < outcome.Result.Before.Loss, $"{outcome.Result.Before.Loss} → {outcome.Result.After.Loss}");
        var output = outcome.OutputDirectory;
        foreach (var file in new[] { "config.json", "model.safetensors", "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "training_args.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        var args = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "training_args.json")))!;
        Assert.Equal("lora", (string?)args["method"]);
        Assert.Equal(4, (int?)args["lora"]!["r"]);
        var adapterConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "adapter", "adapter_config.json")))!;
        Assert.Equal(Path.GetFullPath(baseDir), (string?)adapterConfig["base_model_name_or_path"]);

        using var merged = HfModelFolder.Load(output, Device.Cpu);
        using var unmerged = AdapterFolders.LoadWithAdapter(baseDir, Path.Combine(output, "adapter"), Device.Cpu);
        using var plain = HfModelFolder.Load(baseDir, Device.Cpu);
        var mergedLogits = Logits(merged);
        Assert.True(MaxAbs(mergedLogits, Logits(unmerged)) < 1e-5, "merged and base + adapter must agree");
        Assert.True(MaxAbs(mergedLogits, Logits(plain)) > 1e-3, "training must have changed the model");
    }

    [Fact]
    public void MergeFalse_PublishesOnlyTheAdapter_WhichLoadsAsBasePlusAdapter_AndIsListed()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        CreateBase(root, "llama");
        var data = temp.Write("d.csv", SampleData.Csv(16));
        var merged = Run(root, data, Fast, new DateTime(2024, 1, 1));
        var adapterOnly = Run(root, data, Fast with { Merge = false }, new DateTime(2024, 2, 1));

        Assert.False(File.Exists(Path.Combine(adapterOnly.OutputDirectory, "config.json")));
        Assert.False(File.Exists(Path.Combine(adapterOnly.OutputDirectory, "model.safetensors")));
        Assert.True(AdapterFolders.IsAdapterOnly(adapterOnly.OutputDirectory));
        Assert.Equal(adapterOnly.OutputDirectory, FineTunedModels.Latest(root));
        Assert.Equal(adapterOnly.OutputDirectory, ModelLocator.Latest(root));

        using var fromAdapter = HfModelFolder.Load(adapterOnly.OutputDirectory, Device.Cpu);
        using var fromMerged = HfModelFolder.Load(merged.OutputDirectory, Device.Cpu);
        Assert.NotNull(fromAdapter.Lora);
        Assert.True(MaxAbs(Logits(fromAdapter), Logits(fromMerged)) < 1e-5, "the same seed must train the same adapter");
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    [InlineData("qwen2")]
    [InlineData("phi")]
    [InlineData("phi3")]
    public void LoraCheckpoints_HoldOnlyTheAdapter_AndResumeIsBitIdentical(string family)
    {
        using var temp = new TempFolder();
        var baseDir = CreateBase(temp.Sub("models"), family);
        var data = DatasetReader.Read(temp.Write("d.csv", SampleData.Csv(16))).Examples;
        var options = Fast with { SaveSteps = 2, SaveTotalLimit = 0 };
        var settings = options.Lora!.ToSettings(options.Seed);

        byte[][] uninterrupted;
        using (var a = AdapterFolders.LoadWithNewAdapter(baseDir, settings, Device.Cpu))
        {
            Trainer.Train(RunFor(a, data, options, temp.Sub("ckpt")));
            uninterrupted = AdapterBytes(a);
        }
        var checkpoint = Path.Combine(temp.Sub("ckpt"), "checkpoint-2");
        Assert.True(TrainingCheckpoints.IsComplete(checkpoint));
        Assert.True(File.Exists(Path.Combine(checkpoint, "adapter_model.safetensors")));
        Assert.False(File.Exists(Path.Combine(checkpoint, "model.safetensors")), "a LoRA checkpoint must not copy the frozen base");

        using var b = AdapterFolders.LoadWithNewAdapter(baseDir, settings, Device.Cpu);
        Trainer.Train(RunFor(b, data, options, temp.Sub("ckpt2"), resume: checkpoint));
        Assert.Equal(uninterrupted, AdapterBytes(b));
    }

    [Fact]
    public void RetrainingALoraFineTune_ContinuesItsAdapter_OnTheOriginalBase()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        var baseDir = CreateBase(root, "llama");
        var data = temp.Write("d.csv", SampleData.Csv(16));
        var january = Run(root, data, Fast with { Lora = null, Method = TrainingMethod.Lora }, new DateTime(2024, 1, 1));
        var progress = new RecordingProgress();
        var february = FineTuneJob.Run(new FineTuneRequest
        {
            Model = january.OutputDirectory, Data = data, ModelsRoot = root, Options = Fast with { Method = TrainingMethod.Auto, Lora = null, Epochs = 1 },
            StartedAt = new DateTime(2024, 2, 1),
        }, progress);

        Assert.Contains(progress.Messages, m => m.Contains("continuing the LoRA adapter"));
        Assert.Equal(january.Result.After.Loss, february.Result.Before.Loss, 6);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(february.OutputDirectory, "adapter", "adapter_config.json")))!;
        Assert.Equal(Path.GetFullPath(baseDir), (string?)config["base_model_name_or_path"]);
        Assert.Equal(16, (int?)config["r"]); // the adapter's own shape (the default r), kept when continuing
    }

    [Fact]
    public void Auto_ChoosesFull_WhenItFits_AndLora_WhenItDoesNot()
    {
        using var temp = new TempFolder();
        var baseDir = CreateBase(temp.Sub("models"), "llama");
        var auto = new TrainingOptions { Method = TrainingMethod.Auto };

        var roomy = MethodResolver.Resolve(auto, baseDir, deviceMemoryBytes: 1L << 40);
        Assert.Equal(TrainingMethod.Full, roomy.Options.Method);
        Assert.Equal(TrainingOptions.FullLearningRate, roomy.Options.LearningRate);
        var tight = MethodResolver.Resolve(auto, baseDir, deviceMemoryBytes: 1L << 20);
        Assert.Equal(TrainingMethod.Lora, tight.Options.Method);
        Assert.Equal(TrainingOptions.LoraLearningRate, tight.Options.LearningRate);
        Assert.NotNull(tight.Options.Lora);
        Assert.Contains("→ lora", tight.Explanation);
        Assert.Equal(tight.Options, MethodResolver.Resolve(tight.Options, baseDir, 1L << 20).Options); // resolving again changes nothing
    }

    [Theory]
    [InlineData("c_attn", "lora.target_modules")]
    [InlineData("query", "lora.target_modules")]
    public void BadTargets_AreRefusedBeforeTraining_NamingTheField(string target, string field)
    {
        using var temp = new TempFolder();
        var baseDir = CreateBase(temp.Sub("models"), "llama");
        var options = new TrainingOptions { Method = TrainingMethod.Lora, Lora = new LoraOptions { TargetModules = [target] } };
        var errors = TrainingOptionsValidator.Validate(options);
        if (errors.Count > 0) { Assert.Equal(field, errors[0].Field); return; }
        var error = Assert.Throws<ArgumentException>(() => MethodResolver.Resolve(options, baseDir));
        Assert.Equal(field, error.ParamName);
    }

    [Fact]
    public void Validation_NamesLoraFields_AndRefusesLoraSettingsWithFullMethod()
    {
        Assert.Contains(TrainingOptionsValidator.Validate(new TrainingOptions { Lora = new LoraOptions { R = 0 } }), e => e.Field == "lora.r");
        Assert.Contains(TrainingOptionsValidator.Validate(new TrainingOptions { Lora = new LoraOptions { Dropout = 1 } }), e => e.Field == "lora.dropout");
        Assert.Contains(TrainingOptionsValidator.Validate(new TrainingOptions { Method = TrainingMethod.Full, Lora = new LoraOptions() }), e => e.Field == "lora");
        var parsed = TrainingOptions.FromJson("""{"method":"lora","lora":{"r":8,"target_modules":"q_proj"}}""");
        Assert.Equal(["q_proj"], parsed.Lora!.TargetModules);
    }

    private static string CreateBase(string root, string family) =>
        family == "gpt2" ? TinyModels.CreateBase(root) : FamilyTrainingTests.CreateBase(root, family);

    private static FineTuneOutcome Run(string root, string data, TrainingOptions options, DateTime? at = null) =>
        FineTuneJob.Run(new FineTuneRequest { Model = "tiny", Data = data, ModelsRoot = root, Options = options, StartedAt = at }, NullTrainingProgress.Instance);

    private static TrainingRun RunFor(LoadedModel loaded, IReadOnlyList<Datasets.Model.TrainingExample> data, TrainingOptions options,
        string checkpoints, string? resume = null) => new()
        {
            Model = loaded.Model, Tokenizer = loaded.Tokenizer, FolderIO = new LoraFolderIO(loaded), TrainingExamples = data,
            Options = options, CheckpointDirectory = checkpoints, ResumeFrom = resume,
        };

    private static byte[][] AdapterBytes(LoadedModel loaded) => loaded.Model.TrainableParameters.Select(p => p.Parameter.ToBytes()).ToArray();

    private static float[] Logits(LoadedModel loaded)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        loaded.Model.Training = false;
        return loaded.Model.Forward(Tensor.FromArray(Ids, 1, Ids.Length)).ToArray<float>();
    }

    private static double MaxAbs(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    private sealed class RecordingProgress : ITrainingProgress
    {
        public List<string> Messages { get; } = [];
        public void OnMessage(string message) => Messages.Add(message);
        public void OnStep(TrainingProgress progress) { }
        public void OnEvaluation(EvaluationResult result) { }
        public void OnCheckpoint(int step, string path) { }
    }
}
