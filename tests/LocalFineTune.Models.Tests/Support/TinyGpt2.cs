using LocalFineTune.Models.Gpt2;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests.Support;

/// <summary>Tiny GPT-2 shapes and weights for tests: 2 layers, width 32, 4 heads.</summary>
internal static class TinyGpt2
{
    public static Gpt2Config Config(int vocab = 97, bool tied = true, string activation = "gelu_new") => new()
    {
        VocabSize = vocab, NPositions = 48, NEmbd = 32, NLayer = 2, NHead = 4,
        TieWordEmbeddings = tied, ActivationFunction = activation,
        BosTokenId = vocab - 1, EosTokenId = vocab - 1,
    };

    /// <summary>GPT-2's real vocabulary on a tiny body, for tests that go through the tokenizer.</summary>
    public static Gpt2Config WithGpt2Vocab() => Config(vocab: 50257) with { BosTokenId = 50256, EosTokenId = 50256 };

    /// <summary>
    /// Weights far from the HF init (std 0.3, LayerNorm gains around 1, non-zero biases), so attention is
    /// peaked and every parameter matters in a parity check. Returns the values as float64 for a reference.
    /// </summary>
    public static (Gpt2Model Model, Dictionary<string, double[]> Values) RandomWeights(Gpt2Config config, int seed = 1, Device? device = null)
    {
        var random = new Random(seed);
        var values = new Dictionary<string, double[]>();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in Gpt2Model.ParameterShapes(config))
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var isGain = name.EndsWith(".weight") && (name.Contains("ln_"));
            var floats = new float[count];
            for (var i = 0; i < count; i++)
                floats[i] = (float)((isGain ? 1 : 0) + (isGain ? 0.1 : 0.3) * Normal(random));
            values[name] = floats.Select(f => (double)f).ToArray();
            tensors[name] = Tensor.FromArray(floats, shape).To(device ?? Device.Cpu);
        }
        return (new Gpt2Model(config, tensors, device ?? Device.Cpu), values);
    }

    public static Tensor Ids(params int[] ids) => Tensor.FromArray(ids.Select(i => (long)i).ToArray(), 1, ids.Length);

    /// <summary>Logits [seq][vocab] for one sequence, as float64.</summary>
    public static double[][] Logits(ICausalLanguageModel model, int[] ids)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var logits = model.Forward(Ids(ids)).To(ScalarType.Float64).ToArray<double>();
        var vocab = model.VocabSize;
        return Enumerable.Range(0, ids.Length).Select(t => logits.AsSpan(t * vocab, vocab).ToArray()).ToArray();
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>A temporary folder removed at Dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lft-models-" + Guid.NewGuid().ToString("N")[..8]);

    public TempFolder() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>GPT-2's real vocab.json + merges.txt.</summary>
    public static string Gpt2Tokenizer => Path.Combine(Root, "models", "base", "tiny-gpt2");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) return dir.FullName;
        throw new InvalidOperationException("LocalFineTune.sln not found above the test binaries.");
    }
}

internal static class Compare
{
    /// <summary>Max |a − b| over all elements, relative to max |b| (norm-wise relative error).</summary>
    public static double RelativeError(double[][] actual, double[][] expected)
    {
        double maxDiff = 0, maxRef = 0;
        for (var t = 0; t < expected.Length; t++)
        for (var v = 0; v < expected[t].Length; v++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[t][v] - expected[t][v]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[t][v]));
        }
        return maxDiff / maxRef;
    }
}
