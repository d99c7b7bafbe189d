using System.Text.RegularExpressions;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.SafeTensors;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Loading;

/// <summary>One checkpoint problem per key; all of them are reported together.</summary>
public sealed class CheckpointMismatchException(string folder, IReadOnlyList<string> problems)
    : Exception($"The weights in '{folder}' do not fit the model its config.json describes ({problems.Count} problem(s)):\n  - " +
                string.Join("\n  - ", problems) +
                "\nHint: check that config.json belongs to these weights (n_layer, n_embd, vocab_size, n_positions, tie_word_embeddings).")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Maps a checkpoint's GPT-2 keys onto <see cref="Gpt2Model.ParameterShapes"/>: "transformer." prefix or not,
/// lm_head.weight present or tied. Each tensor is copied from the mapped file straight into libtorch memory.
/// </summary>
internal static partial class Gpt2WeightLoader
{
    // The causal-mask buffers old checkpoints carry (h.N.attn.bias / masked_bias) are not weights.
    [GeneratedRegex(@"^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex AttentionBuffer();

    public static Gpt2Model Load(SafeTensorsCheckpoint checkpoint, Gpt2Config config, string folder, Device device, ScalarType dtype)
    {
        var keyOf = MatchKeys(checkpoint, config, folder);
        var parameters = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, key) in keyOf) parameters[name] = ReadTensor(checkpoint, key, device, dtype);
            return new Gpt2Model(config, parameters, device);
        }
        catch
        {
            foreach (var t in parameters.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Parameter name → checkpoint key; throws once with every missing, unexpected or misshapen key.</summary>
    private static Dictionary<string, string> MatchKeys(SafeTensorsCheckpoint checkpoint, Gpt2Config config, string folder)
    {
        var problems = new List<string>();
        var keyOf = new Dictionary<string, string>();
        foreach (var (name, shape) in Gpt2Model.ParameterShapes(config))
        {
            var key = new[] { "transformer." + name, name }.FirstOrDefault(checkpoint.Contains);
            if (name == "lm_head.weight") key = checkpoint.Contains(name) ? name : null;
            if (key is null) { problems.Add($"missing key \"transformer.{name}\" (shape [{string.Join(", ", shape)}])"); continue; }
            var entry = checkpoint.Get(key);
            if (!entry.Shape.SequenceEqual(shape))
                problems.Add($"key \"{key}\" has shape {entry.ShapeText}, config.json implies [{string.Join(", ", shape)}]");
            else if (ToScalarType(entry.DType) is null)
                problems.Add($"key \"{key}\" is {entry.DType}; only F32, F16 and BF16 weights are supported");
            keyOf[name] = key;
        }
        var used = new HashSet<string>(keyOf.Values);
        foreach (var key in checkpoint.Names.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal))
        {
            if (AttentionBuffer().IsMatch(key)) continue;
            if (key == "lm_head.weight" && config.TieWordEmbeddings) { CheckTiedHead(checkpoint, config, problems); continue; }
            problems.Add($"unexpected key \"{key}\" (not a GPT-2 weight of this config)");
        }
        if (problems.Count > 0) throw new CheckpointMismatchException(folder, problems);
        return keyOf;
    }

    /// <summary>A tied model may still carry lm_head.weight (some exporters write it); it must at least fit wte.</summary>
    private static void CheckTiedHead(SafeTensorsCheckpoint checkpoint, Gpt2Config config, List<string> problems)
    {
        var entry = checkpoint.Get("lm_head.weight");
        if (!entry.Shape.SequenceEqual(new long[] { config.VocabSize, config.NEmbd }))
            problems.Add($"key \"lm_head.weight\" has shape {entry.ShapeText}, expected [{config.VocabSize}, {config.NEmbd}] (tied to wte)");
    }

    private static unsafe Tensor ReadTensor(SafeTensorsCheckpoint checkpoint, string key, Device device, ScalarType dtype)
    {
        var entry = checkpoint.Get(key);
        using var scope = DisposeScope.Enter();
        // Straight from the mapped bytes into libtorch memory: no managed copy of the file.
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
