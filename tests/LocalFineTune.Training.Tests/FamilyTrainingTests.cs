using System.Text.Json.Nodes;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Tests;

/// <summary>Every family trains (loss goes down) and resumes bit-identically, as GPT-2 does.</summary>
public class FamilyTrainingTests
{
    private static readonly TrainingOptions Fast = new()
    {
        Epochs = 2, BatchSize = 4, LearningRate = 1e-2, MaxSeqLength = 32, Device = "cpu", Seed = 5, WarmupSteps = 1,
    };

    /// <summary>Tiny bases of each family on GPT-2's vocabulary (so the real tokenizer applies), with dropout where the family has it.</summary>
    internal static string CreateBase(string modelsRoot, string family, string name = "tiny")
    {
        var shape = """
            "vocab_size":50257,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,
            "num_key_value_heads":2,"max_position_embeddings":64,"bos_token_id":50256,"eos_token_id":50256,"attention_dropout":0.1
            """;
        var extra = family switch
        {
            "llama" => "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":16}",
            "mistral" => "\"sliding_window\":8",
            "qwen2" => "\"use_sliding_window\":true,\"sliding_window\":8,\"max_window_layers\":1,\"tie_word_embeddings\":true",
            "qwen3" => "\"head_dim\":16,\"tie_word_embeddings\":true",
            "phi" => "\"qk_layernorm\":true,\"resid_pdrop\":0.1,\"embd_pdrop\":0.1",
            "phi3" => "\"resid_pdrop\":0.1,\"sliding_window\":8",
            _ => throw new ArgumentException(family),
        };
        var json = JsonNode.Parse("{\"model_type\":\"" + family + "\"," + shape + "," + extra + "}")!.AsObject();
        var dir = Path.Combine(modelsRoot, "base", name);
        HfModelFolder.CreateRandomFolder(dir, ModelConfig.FromJson(json), Repo.TinyGpt2Dir, seed: 3);
        return dir;
    }

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

    [Theory]
    [InlineData("llama")]
    [InlineData("mistral")]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("phi")]
    [InlineData("phi3")]
    public void Train_LowersTheLoss_AndResumeIsBitIdentical(string family)
    {
        using var temp = new TempFolder();
        var baseDir = CreateBase(temp.Sub("models"), family);
        var data = temp.Write("d.csv", SampleData.Csv(8));
        var options = Fast with { SaveSteps = 2, SaveTotalLimit = 0 };

        byte[][] uninterrupted;
        using (var a = HfModelFolder.Load(baseDir, Device.Cpu))
        {
            Assert.Equal(family, a.Model.ModelType);
            var result = Trainer.Train(RunFor(a, baseDir, data, options, temp.Sub("ckpt")));
            Assert.True(result.After.Loss < result.Before.Loss - 0.3, $"{family}: eval loss {result.Before.Loss} → {result.After.Loss}");
            uninterrupted = Weights(a);
        }
        var checkpoint = Path.Combine(temp.Sub("ckpt"), "checkpoint-2");
        Assert.True(TrainingCheckpoints.IsComplete(checkpoint));
        using var b = HfModelFolder.Load(baseDir, Device.Cpu);
        Trainer.Train(RunFor(b, baseDir, data, options, temp.Sub("ckpt2"), resume: checkpoint));
        Assert.Equal(uninterrupted, Weights(b));
    }
}
