using System.Globalization;
using LocalFineTune.SafeTensors;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Checkpoints;

/// <summary>
/// AdamW moments as safetensors (no pickle): "exp_avg.&lt;param&gt;" and "exp_avg_sq.&lt;param&gt;" per parameter,
/// float32 bytes exactly as in memory, and the step count in the metadata.
/// </summary>
public static class OptimizerStateFile
{
    public const string FileName = "optimizer.safetensors";
    private const string StepKey = "step";

    public static void Save(string directory, AdamW optimizer, IReadOnlyList<string> parameterNames)
    {
        var tensors = new List<TensorToWrite>();
        for (var i = 0; i < parameterNames.Count; i++)
        {
            tensors.Add(Moment("exp_avg." + parameterNames[i], optimizer.ExpAvg(i)));
            tensors.Add(Moment("exp_avg_sq." + parameterNames[i], optimizer.ExpAvgSq(i)));
        }
        var metadata = new Dictionary<string, string> { [StepKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture) };
        SafeTensorsWriter.Write(Path.Combine(directory, FileName), tensors, metadata);
    }

    public static void Restore(string directory, AdamW optimizer, IReadOnlyList<string> parameterNames)
    {
        var path = Path.Combine(directory, FileName);
        using var file = SafeTensorsFile.Open(path);
        for (var i = 0; i < parameterNames.Count; i++)
        {
            CopyInto(file, "exp_avg." + parameterNames[i], optimizer.ExpAvg(i));
            CopyInto(file, "exp_avg_sq." + parameterNames[i], optimizer.ExpAvgSq(i));
        }
        optimizer.StepCount = long.Parse(file.Metadata[StepKey], CultureInfo.InvariantCulture);
    }

    private static TensorToWrite Moment(string name, Tensor state)
    {
        using (state)
        {
            if (state.DType != ScalarType.Float32)
                throw new NotSupportedException($"optimizer state {name} is {state.DType}; only float32 moments are saved");
            return TensorToWrite.FromBytes(name, SafeTensorDType.F32, state.Shape, state.ToBytes());
        }
    }

    private static void CopyInto(SafeTensorsFile file, string name, Tensor destination)
    {
        using (destination)
        {
            if (!file.Contains(name))
                throw new InvalidDataException($"{file.Path} has no tensor {name}: the checkpoint belongs to another model or is damaged");
            var entry = file.GetEntry(name);
            if (!entry.Shape.SequenceEqual(destination.Shape))
                throw new InvalidDataException($"{name} is [{string.Join(", ", entry.Shape)}] in {file.Path} but the model has " +
                    $"[{string.Join(", ", destination.Shape)}]: resume with the same base model");
            using var saved = Tensor.FromBytes(file.GetBytes(name), entry.Shape, ScalarType.Float32, destination.Device);
            destination.CopyFrom(saved);
        }
    }
}
