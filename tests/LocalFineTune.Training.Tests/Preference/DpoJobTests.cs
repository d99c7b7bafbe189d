using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Models.Loading;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>DPO as a job (what lft train, /api/finetune and /v1 run): each data format, with LoRA, and after supervised tuning.</summary>
public class DpoJobTests
{
    private static readonly TrainingOptions Dpo = new()
    {
        Method = TrainingMethod.Dpo, Epochs = 2, BatchSize = 8, LearningRate = 3e-3, MaxSeqLength = 32, Device = "cpu", Seed = 5, WarmupSteps = 2,
    };

    public static TheoryData<string> Formats => new() { "openai.jsonl", "trl-chat.jsonl", "prefs.csv" };

    [Fact]
    public void DpoJob_LearnsThePreferences_AndPublishesDpoMetrics()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        // Text prompts end with the animal the answer depends on, which a 2-layer model learns in seconds; chat prompts put
        // the fallback template's tokens in between and need many more steps (their reading is checked below).
        var outcome = Run(root, temp.Write("prefs.jsonl", PreferenceFile("trl.jsonl")), Dpo);

        Assert.True(outcome.Result.After.Loss < outcome.Result.Before.Loss - 0.02, $"{outcome.Result.Before.Loss} → {outcome.Result.After.Loss}");
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(outcome.OutputDirectory, "metrics.json")))!;
        Assert.NotNull(metrics["loss_history"]![0]!["metrics"]!["rewards/margins"]);
        Assert.Equal("dpo", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(outcome.OutputDirectory, "training_args.json")))!["method"]);
        Assert.True(File.Exists(Path.Combine(outcome.OutputDirectory, "model.safetensors")));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DpoJob_ReadsEveryOtherFormat_IntoTheSamePairs(string format)
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var outcome = Run(root, temp.Write(format, PreferenceFile(format)), Dpo with { Epochs = 1 });

        var pairs = SyntheticPreferences.Training().Count;
        Assert.Equal(pairs, outcome.Report.ExampleCount + outcome.Report.ValidationExampleCount);
        Assert.All(outcome.Result.State.LogHistory, l => Assert.True(double.IsFinite(l.Metrics!["rewards/margins"])));
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    [InlineData("mistral")]
    [InlineData("qwen3")]
    [InlineData("phi")]
    [InlineData("phi3")]
    public void DpoWithLora_OnEveryFamily_UsesTheAdaptersOffAsReference_AndPublishesTheAdapter(string family)
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        if (family == "gpt2") TinyModels.CreateBase(root);
        else FamilyTrainingTests.CreateBase(root, family);
        var outcome = Run(root, temp.Write("p.jsonl", PreferenceFile("trl.jsonl")),
            Dpo with { Lora = new LoraOptions { R = 4, Alpha = 8, Dropout = 0 }, LearningRate = 2e-2 });

        Assert.Equal(Math.Log(2), outcome.Result.Before.Loss, 5); // adapters start at zero: policy = reference
        Assert.True(outcome.Result.After.Loss < outcome.Result.Before.Loss);
        Assert.NotNull(AdapterFolders.AdapterDirOf(outcome.OutputDirectory));
    }

    [Fact]
    public void SupervisedThenDpo_ContinuesFromTheFineTunedFolder()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var supervised = FineTuneJob.Run(new FineTuneRequest
        {
            Model = "tiny", Data = temp.Write("sft.csv", SampleData.Csv(16)), ModelsRoot = root,
            Options = new TrainingOptions { Epochs = 1, LearningRate = 1e-3, MaxSeqLength = 32, Device = "cpu", Method = TrainingMethod.Full },
            StartedAt = new DateTime(2024, 1, 1),
        }, NullTrainingProgress.Instance);
        var dpo = FineTuneJob.Run(new FineTuneRequest
        {
            Model = supervised.OutputDirectory, Data = temp.Write("p.jsonl", PreferenceFile("trl.jsonl")), ModelsRoot = root, Options = Dpo,
            StartedAt = new DateTime(2024, 2, 1),
        }, NullTrainingProgress.Instance);

        Assert.Equal("tiny-finetuned-20240201_000000", dpo.Name);
        Assert.True(dpo.Result.After.Loss < dpo.Result.Before.Loss);
    }

    [Fact]
    public void SupervisedDataGivenToDpo_IsRefusedWithTheLocatedReport()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("models");
        TinyModels.CreateBase(root);
        var error = Assert.Throws<DatasetInvalidException>(() => Run(root, temp.Write("sft.jsonl", SampleData.Chat(12)), Dpo));
        Assert.Contains("line 1", error.Report.ToText());
    }

    private static FineTuneOutcome Run(string root, string data, TrainingOptions options) =>
        FineTuneJob.Run(new FineTuneRequest { Model = "tiny", Data = data, ModelsRoot = root, Options = options }, NullTrainingProgress.Instance);

    /// <summary>The synthetic animal-sound pairs written in one of the accepted formats.</summary>
    private static string PreferenceFile(string format)
    {
        var pairs = SyntheticPreferences.Training();
        string Line(Datasets.Preferences.PreferenceExample p) => format switch
        {
            "openai.jsonl" => JsonSerializer.Serialize(new
            {
                input = new { messages = new[] { new { role = "user", content = p.PromptText } } },
                preferred_output = new[] { new { role = "assistant", content = p.Chosen } },
                non_preferred_output = new[] { new { role = "assistant", content = p.Rejected } },
            }),
            "trl.jsonl" => JsonSerializer.Serialize(new { prompt = p.PromptText, chosen = p.Chosen, rejected = p.Rejected }),
            "trl-chat.jsonl" => JsonSerializer.Serialize(new
            {
                prompt = new[] { new { role = "user", content = p.PromptText } },
                chosen = new[] { new { role = "assistant", content = p.Chosen } },
                rejected = new[] { new { role = "assistant", content = p.Rejected } },
            }),
            _ => $"\"{p.PromptText}\",\"{p.Chosen}\",\"{p.Rejected}\"",
        };
        var header = format == "prefs.csv" ? "prompt,chosen,rejected\n" : "";
        return header + string.Join("\n", pairs.Select(Line)) + "\n";
    }
}
