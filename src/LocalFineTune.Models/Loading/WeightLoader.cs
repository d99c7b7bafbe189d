using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Families;
using LocalFineTune.SafeTensors;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Loading;

/// <summary>One checkpoint problem per key; all of them are reported together.</summary>
public sealed class CheckpointMismatchException(string folder, IReadOnlyList<string> problems)
    : Exception($"The weights in '{folder}' do not fit the model its config.json describes ({problems.Count} problem(s)):\n  - " +
                string.Join("\n  - ", problems) +
                "\nHint: check that config.json belongs to these weights (layers, hidden size, heads, vocab_size, tie_word_embeddings).")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Maps a checkpoint's keys onto <see cref="DecoderParameters.Shapes"/> (through the family's key aliases and
/// buffer rules). Each tensor goes from the memory-mapped file straight into libtorch memory and is converted to
/// the requested dtype/device on its own, so loading never holds a second full copy of the weights.
/// </summary>
internal static class WeightLoader
{
    /// <param name="linearFactory">Builds every projection (LoRA wraps the targeted ones); null = plain linears.</param>
    public static DecoderModel Load(SafeTensorsCheckpoint checkpoint, ModelConfig config, string folder, Device device, ScalarType dtype,
        ILinearFactory? linearFactory = null)
    {
        var family = ModelFamilies.Get(config.ModelType);
        var keyOf = MatchKeys(checkpoint, config.Spec, family, folder);
        var parameters = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, key) in keyOf) parameters[name] = ReadTensor(checkpoint, key, device, dtype);
            return new DecoderModel(config.Spec, parameters, device, linearFactory);
        }
        catch
        {
            foreach (var t in parameters.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Parameter name → checkpoint key; throws once with every missing, unexpected or misshapen key.</summary>
    private static Dictionary<string, string> MatchKeys(SafeTensorsCheckpoint checkpoint, DecoderSpec spec, IModelFamily family, string folder)
    {
        var problems = new List<string>();
        var keyOf = new Dictionary<string, string>();
        foreach (var (name, shape) in DecoderParameters.Shapes(spec))
        {
            var key = family.KeyCandidates(name).FirstOrDefault(checkpoint.Contains);
            if (key is null) { problems.Add($"missing key \"{name}\" (shape [{string.Join(", ", shape)}])"); continue; }
            var entry = checkpoint.Get(key);
            if (!entry.Shape.SequenceEqual(shape))
                problems.Add($"key \"{key}\" has shape {entry.ShapeText}, config.json implies [{string.Join(", ", shape)}]");
            else if (ToScalarType(entry.DType) is null)
                problems.Add($"key \"{key}\" is {entry.DType}; only F32, F16 and BF16 weights are supported");
            keyOf[name] = key;
        }
        var used = new HashSet<string>(keyOf.Values);
        var tiedHead = spec.Keys.LmHead + ".weight";
        foreach (var key in checkpoint.Names.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal))
        {
            if (family.IsBuffer(key)) continue;
            if (key == tiedHead && spec.TieWordEmbeddings) { CheckTiedHead(checkpoint, spec, problems); continue; }
            problems.Add($"unexpected key \"{key}\" (not a {spec.ModelType} weight of this config)");
        }
        if (problems.Count > 0) throw new CheckpointMismatchException(folder, problems);
        return keyOf;
    }

    /// <summary>A tied model may still carry lm_head.weight (some exporters write it); it must at least fit the embedding.</summary>
    private static void CheckTiedHead(SafeTensorsCheckpoint checkpoint, DecoderSpec spec, List<string> problems)
    {
        var entry = checkpoint.Get(spec.Keys.LmHead + ".weight");
        if (!entry.Shape.SequenceEqual(new long[] { spec.VocabSize, spec.HiddenSize }))
            problems.Add($"key \"{spec.Keys.LmHead}.weight\" has shape {entry.ShapeText}, expected [{spec.VocabSize}, {spec.HiddenSize}] (tied to the embedding)");
    }

    private static unsafe Tensor ReadTensor(SafeTensorsCheckpoint checkpoint, string key, Device device, ScalarType dtype)
    {
        var entry = checkpoint.Get(key);
        using var scope = DisposeScope.Enter();
        // Straight from the mapped bytes into libtorch memory (no managed copy of the file), then converted on its
        // own: the peak is the model plus one tensor, never two copies of the model.
        var raw = Tensor.FromPointer(checkpoint.GetPointer(key), entry.Shape, ToScalarType(entry.DType)!.Value);
        var placed = raw.DType == dtype && device == Device.Cpu ? raw : raw.To(dtype, device);
        placed.RequiresGrad = true;
        return DisposeScope.Detach(placed);
    }

    internal static ScalarType? ToScalarType(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 => ScalarType.Float32,
        SafeTensorDType.F16 => ScalarType.Float16,
        SafeTensorDType.BF16 => ScalarType.BFloat16,
        _ => null,
    };

    internal static SafeTensorDType ToSafeTensorDType(ScalarType type) => type switch
    {
        ScalarType.Float32 => SafeTensorDType.F32,
        ScalarType.Float16 => SafeTensorDType.F16,
        ScalarType.BFloat16 => SafeTensorDType.BF16,
        _ => throw new NotSupportedException($"Saving weights as {type} is not supported; use Float32, Float16 or BFloat16."),
    };

    internal static string TorchDtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw new NotSupportedException($"{type} is not a weight dtype; use Float32, Float16 or BFloat16."),
    };
}
