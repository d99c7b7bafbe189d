using LocalFineTune.Models;
using LocalFineTune.Torch;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Loop;

/// <summary>
/// AdamW groups as usual for transformers: weight decay on matrices (linear and embedding weights), none on
/// 1-D tensors (biases, LayerNorm gains and shifts), where decay only pulls them towards a meaningless 0.
/// </summary>
public static class ParameterGroups
{
    public static bool IsDecayed(Tensor parameter) => parameter.Dim >= 2;

    /// <summary>The optimizer over the model's trainable parameters (all of them, or only the LoRA adapters), and their
    /// names in its order (decayed first), for saving its state by name.</summary>
    public static AdamW CreateOptimizer(ICausalLanguageModel model, TrainingOptions options, out IReadOnlyList<string> names)
    {
        var decayed = model.TrainableParameters.Where(p => IsDecayed(p.Parameter)).ToList();
        var plain = model.TrainableParameters.Where(p => !IsDecayed(p.Parameter)).ToList();
        names = [.. decayed.Select(p => p.Name), .. plain.Select(p => p.Name)];
        return new AdamW(
        [
            new ParamGroup(decayed.Select(p => p.Parameter).ToList(), options.PeakLearningRate, options.WeightDecay),
            new ParamGroup(plain.Select(p => p.Parameter).ToList(), options.PeakLearningRate, 0),
        ]);
    }
}
