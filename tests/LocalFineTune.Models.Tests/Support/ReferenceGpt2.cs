using LocalFineTune.Models.Gpt2;

namespace LocalFineTune.Models.Tests.Support;

/// <summary>
/// An independent GPT-2 forward pass in plain C# float64, written from the GPT-2 paper and transformers'
/// semantics (pre-LN blocks, Conv1D weights [in, out], tanh GELU, causal softmax attention, tied head).
/// Test-only: it shares no code with the model it checks.
/// </summary>
internal sealed class ReferenceGpt2(Gpt2Config config, IReadOnlyDictionary<string, double[]> weights)
{
    private readonly int _c = config.NEmbd;

    /// <summary>Logits [seq][vocab] for one sequence.</summary>
    public double[][] Forward(int[] ids)
    {
        var x = new double[ids.Length][];
        for (var t = 0; t < ids.Length; t++)
        {
            x[t] = new double[_c];
            for (var i = 0; i < _c; i++) x[t][i] = W("wte.weight")[ids[t] * _c + i] + W("wpe.weight")[t * _c + i];
        }
        for (var layer = 0; layer < config.NLayer; layer++)
        {
            var p = $"h.{layer}.";
            var attention = Attention(x.Select(row => LayerNorm(row, p + "ln_1")).ToArray(), p, layer);
            for (var t = 0; t < x.Length; t++) Add(x[t], attention[t]);
            for (var t = 0; t < x.Length; t++)
            {
                var hidden = Affine(LayerNorm(x[t], p + "ln_2"), p + "mlp.c_fc").Select(Activate).ToArray();
                Add(x[t], Affine(hidden, p + "mlp.c_proj"));
            }
        }
        var head = config.TieWordEmbeddings ? W("wte.weight") : W("lm_head.weight");
        return x.Select(row =>
        {
            var normed = LayerNorm(row, "ln_f");
            var logits = new double[config.VocabSize];
            for (var v = 0; v < config.VocabSize; v++)
            {
                double sum = 0;
                for (var i = 0; i < _c; i++) sum += normed[i] * head[v * _c + i];
                logits[v] = sum;
            }
            return logits;
        }).ToArray();
    }

    /// <summary>Greedy continuation: argmax of the last position, fed back, maxNew times.</summary>
    public List<int> Greedy(int[] prompt, int maxNew)
    {
        var ids = prompt.ToList();
        for (var step = 0; step < maxNew; step++)
        {
            var last = Forward(ids.ToArray())[^1];
            ids.Add(Array.IndexOf(last, last.Max()));
        }
        return ids.Skip(prompt.Length).ToList();
    }

    private double[][] Attention(double[][] h, string p, int layer)
    {
        int seq = h.Length, heads = config.NHead, d = config.HeadDim;
        var qkv = h.Select(row => Affine(row, p + "attn.c_attn")).ToArray();
        var scale = (config.ScaleAttnWeights ? 1 / Math.Sqrt(d) : 1) / (config.ScaleAttnByInverseLayerIdx ? layer + 1 : 1);
        var merged = new double[seq][];
        for (var t = 0; t < seq; t++) merged[t] = new double[_c];
        for (var head = 0; head < heads; head++)
        for (var t = 0; t < seq; t++)
        {
            var scores = new double[t + 1];
            for (var s = 0; s <= t; s++)
            {
                double dot = 0;
                for (var i = 0; i < d; i++) dot += qkv[t][head * d + i] * qkv[s][_c + head * d + i];
                scores[s] = dot * scale;
            }
            var max = scores.Max();
            var exp = scores.Select(v => Math.Exp(v - max)).ToArray();
            var total = exp.Sum();
            for (var s = 0; s <= t; s++)
            for (var i = 0; i < d; i++) merged[t][head * d + i] += exp[s] / total * qkv[s][2 * _c + head * d + i];
        }
        return merged.Select(row => Affine(row, p + "attn.c_proj")).ToArray();
    }

    /// <summary>y = x · W + b with W stored [in, out] (GPT-2's Conv1D).</summary>
    private double[] Affine(double[] x, string prefix)
    {
        var w = W(prefix + ".weight");
        var b = W(prefix + ".bias");
        var output = (double[])b.Clone();
        for (var i = 0; i < x.Length; i++)
        for (var o = 0; o < output.Length; o++) output[o] += x[i] * w[i * output.Length + o];
        return output;
    }

    private double[] LayerNorm(double[] x, string prefix)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        var inv = 1 / Math.Sqrt(variance + config.LayerNormEpsilon);
        var (w, b) = (W(prefix + ".weight"), W(prefix + ".bias"));
        return x.Select((v, i) => (v - mean) * inv * w[i] + b[i]).ToArray();
    }

    private double Activate(double v) => config.ActivationFunction switch
    {
        "gelu_new" => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
        "relu" => Math.Max(0, v),
        _ => throw new NotSupportedException(config.ActivationFunction),
    };

    private static void Add(double[] target, double[] delta)
    {
        for (var i = 0; i < target.Length; i++) target[i] += delta[i];
    }

    private double[] W(string name) => weights[name];
}
