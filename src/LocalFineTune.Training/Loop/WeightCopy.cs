using LocalFineTune.Torch;

namespace LocalFineTune.Training.Loop;

internal static class WeightCopy
{
    /// <summary>Copies every target tensor from the source of the same name; a missing name means another model's checkpoint.</summary>
    public static void ByName(IEnumerable<(string Name, Tensor Parameter)> source, IEnumerable<(string Name, Tensor Parameter)> target, string checkpoint)
    {
        var byName = source.ToDictionary(p => p.Name, p => p.Parameter);
        using var noGrad = NoGradScope.Enter();
        foreach (var (name, parameter) in target)
        {
            if (!byName.TryGetValue(name, out var saved))
                throw new InvalidDataException($"checkpoint {checkpoint} has no weight {name}: it was written for another model or other LoRA settings");
            if (!saved.Shape.SequenceEqual(parameter.Shape))
                throw new InvalidDataException($"checkpoint {checkpoint}: {name} is [{string.Join(", ", saved.Shape)}], the model's is " +
                    $"[{string.Join(", ", parameter.Shape)}]; resume with the same model and LoRA settings");
            parameter.CopyFrom(saved);
        }
    }
}
