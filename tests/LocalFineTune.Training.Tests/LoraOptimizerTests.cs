using LocalFineTune.Models;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Lora;
using LocalFineTune.Torch;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Tests;

/// <summary>With LoRA the optimizer holds only adapter tensors, and a step leaves the frozen base bit-identical.</summary>
public class LoraOptimizerTests
{
    private const string LlamaJson = """{"model_type":"llama","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"max_position_embeddings":64,"rms_norm_eps":1e-5,"rope_theta":10000.0,"tie_word_embeddings":false,"vocab_size":97,"bos_token_id":96,"eos_token_id":96}""";

    [Fact]
    public void CreateOptimizer_HoldsOnlyAdapterTensors_AndStepLeavesTheBaseUnchanged_WhenLoraIsApplied()
    {
        var spec = ModelConfig.Parse(LlamaJson).Spec;
        using var random = DecoderInit.CreateRandom(spec, 3, Device.Cpu);
        var factory = new LoraLinearFactory(new LoraSettings { R = 2, Dropout = 0 }, Device.Cpu);
        Dictionary<string, Tensor> copies;
        using (NoGradScope.Enter()) copies = random.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Detach().Clone());
        using var model = new DecoderModel(spec, copies, Device.Cpu, factory);
        factory.Finish(model);
        var baseBefore = model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.ToArray<float>());

        using var optimizer = ParameterGroups.CreateOptimizer(model, new TrainingOptions { LearningRate = 1e-2 }, out var names);
        using (DisposeScope.Enter())
        {
            var ids = Tensor.FromArray(new long[] { 5, 17, 3, 88, 42, 9 }, 1, 6);
            var logits = model.Forward(ids);
            LanguageModelLoss.Compute(logits, ids).Backward();
        }
        optimizer.Step();

        Assert.Equal(factory.Adapters.Count * 2, names.Count);
        Assert.All(names, n => Assert.Matches(@"\.lora_[AB]\.weight$", n));
        Assert.All(model.NamedParameters, p => Assert.Equal(baseBefore[p.Name], p.Parameter.ToArray<float>()));
        Assert.Contains(factory.Adapters, a => a.B.ToArray<float>().Any(v => v != 0));
    }
}
