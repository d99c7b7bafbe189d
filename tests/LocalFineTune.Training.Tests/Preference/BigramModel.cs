using LocalFineTune.Models;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>
/// The smallest causal LM: logits at position t are row ids[t] of one matrix W [vocab, vocab]. Its log-probs and
/// their gradients are easy to write out by hand in float64, which is what the DPO loss tests compare against.
/// </summary>
internal sealed class BigramModel : ICausalLanguageModel
{
    public BigramModel(double[,] weights)
    {
        Vocab = weights.GetLength(0);
        var flat = new float[Vocab * Vocab];
        for (var i = 0; i < Vocab; i++)
            for (var j = 0; j < Vocab; j++) flat[i * Vocab + j] = (float)weights[i, j];
        W = Tensor.FromSpan<float>(flat, [Vocab, Vocab], Device.Cpu, requiresGrad: true);
    }

    public static double[,] Random(int vocab, int seed, double scale = 1.0)
    {
        var random = new Random(seed);
        var w = new double[vocab, vocab];
        for (var i = 0; i < vocab; i++)
            for (var j = 0; j < vocab; j++) w[i, j] = (random.NextDouble() * 2 - 1) * scale;
        return w;
    }

    public int Vocab { get; }
    public Tensor W { get; }

    /// <summary>W as float64 exactly as the float32 tensor holds it.</summary>
    public double[,] Weights()
    {
        var flat = W.ToArray<float>();
        var w = new double[Vocab, Vocab];
        for (var i = 0; i < Vocab; i++)
            for (var j = 0; j < Vocab; j++) w[i, j] = flat[i * Vocab + j];
        return w;
    }

    public string ModelType => "bigram";
    public int ContextLength => 64;
    public int VocabSize => Vocab;
    public Device Device => Device.Cpu;
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters => [("w", W)];
    public bool Training { get; set; }
    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null) => Functional.Embedding(W, inputIds);
    public void Dispose() => W.Dispose();
}
