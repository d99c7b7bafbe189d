using System.Text.Json.Nodes;

namespace LocalFineTune.Models.Tests.Support;

/// <summary>
/// An independent float64 forward pass for the Llama, Mistral, Qwen2, Qwen3, Phi and Phi-3 families, written in
/// plain C# from transformers' modeling files and reading config.json itself (so it also checks our family
/// mapping). Test-only: it shares no code with the model it checks.
/// </summary>
internal sealed class ReferenceDecoder
{
    private readonly JsonObject _c;
    private readonly IReadOnlyDictionary<string, double[]> _w;
    private readonly string _type;
    private readonly int _hidden, _heads, _kvHeads, _headDim, _layers, _vocab, _rotary;
    private readonly double[] _invFreq;

    public ReferenceDecoder(string configJson, IReadOnlyDictionary<string, double[]> weights)
    {
        _c = JsonNode.Parse(configJson)!.AsObject();
        _w = weights;
        _type = Str("model_type");
        _hidden = Int("hidden_size");
        _heads = Int("num_attention_heads");
        _kvHeads = _c["num_key_value_heads"] is null ? _heads : Int("num_key_value_heads");
        _headDim = _c["head_dim"] is null ? _hidden / _heads : Int("head_dim");
        _layers = Int("num_hidden_layers");
        _vocab = Int("vocab_size");
        var partial = _c["partial_rotary_factor"]?.GetValue<double>() ?? (_type == "phi" ? 0.5 : 1.0);
        _rotary = (int)(_headDim * partial);
        _invFreq = InverseFrequencies();
    }

    public double[][] Forward(int[] ids)
    {
        var x = ids.Select(id => Row("model.embed_tokens.weight", id, _hidden)).ToArray();
        for (var l = 0; l < _layers; l++)
        {
            var p = $"model.layers.{l}.";
            if (_type == "phi")
            {
                var normed = x.Select(r => LayerNorm(r, p + "input_layernorm")).ToArray();
                var attn = Attention(normed, p + "self_attn.", l);
                for (var t = 0; t < x.Length; t++)
                    x[t] = Sum(Sum(attn[t], Linear(Act(Linear(normed[t], p + "mlp.fc1")), p + "mlp.fc2")), x[t]);
                continue;
            }
            var a = Attention(x.Select(r => Rms(r, p + "input_layernorm.weight")).ToArray(), p + "self_attn.", l);
            for (var t = 0; t < x.Length; t++) x[t] = Sum(x[t], a[t]);
            for (var t = 0; t < x.Length; t++) x[t] = Sum(x[t], GatedMlp(Rms(x[t], p + "post_attention_layernorm.weight"), p + "mlp."));
        }
        var tied = _c["tie_word_embeddings"]?.GetValue<bool>() ?? false;
        var head = tied ? "model.embed_tokens.weight" : "lm_head.weight";
        return x.Select(r =>
        {
            var n = _type == "phi" ? LayerNorm(r, "model.final_layernorm") : Rms(r, "model.norm.weight");
            var logits = MatVec(_w[head], n, _vocab);
            if (_w.TryGetValue("lm_head.bias", out var b)) for (var v = 0; v < _vocab; v++) logits[v] += b[v];
            return logits;
        }).ToArray();
    }

    public List<int> Greedy(int[] prompt, int maxNew)
    {
        var ids = prompt.ToList();
        for (var s = 0; s < maxNew; s++)
        {
            var last = Forward(ids.ToArray())[^1];
            ids.Add(Array.IndexOf(last, last.Max()));
        }
        return ids.Skip(prompt.Length).ToList();
    }

    private double[][] Attention(double[][] x, string p, int layer)
    {
        int n = x.Length, qw = _heads * _headDim, kw = _kvHeads * _headDim;
        double[][] q, k, v;
        if (_type == "phi3")
        {
            var fused = x.Select(r => Linear(r, p + "qkv_proj")).ToArray();
            q = fused.Select(r => r[..qw]).ToArray();
            k = fused.Select(r => r[qw..(qw + kw)]).ToArray();
            v = fused.Select(r => r[(qw + kw)..]).ToArray();
        }
        else
        {
            q = x.Select(r => Linear(r, p + "q_proj")).ToArray();
            k = x.Select(r => Linear(r, p + "k_proj")).ToArray();
            v = x.Select(r => Linear(r, p + "v_proj")).ToArray();
        }
        var window = Window(layer);
        var output = new double[n][];
        for (var t = 0; t < n; t++) output[t] = new double[qw];
        for (var h = 0; h < _heads; h++)
        {
            var g = h / (_heads / _kvHeads);
            var qh = Enumerable.Range(0, n).Select(t => Rope(HeadNorm(q[t][(h * _headDim)..((h + 1) * _headDim)], p, "q"), t)).ToArray();
            var kh = Enumerable.Range(0, n).Select(t => Rope(HeadNorm(k[t][(g * _headDim)..((g + 1) * _headDim)], p, "k"), t)).ToArray();
            for (var t = 0; t < n; t++)
            {
                var scores = new double[t + 1];
                for (var j = 0; j <= t; j++)
                    scores[j] = window is { } w && t - j >= w ? double.NegativeInfinity : Dot(qh[t], kh[j]) / Math.Sqrt(_headDim);
                var max = scores.Max();
                var e = scores.Select(s => Math.Exp(s - max)).ToArray();
                var z = e.Sum();
                for (var j = 0; j <= t; j++)
                for (var d = 0; d < _headDim; d++) output[t][h * _headDim + d] += e[j] / z * v[j][g * _headDim + d];
            }
        }
        var o = _type == "phi" ? "dense" : "o_proj";
        return output.Select(r => Linear(r, p + o)).ToArray();
    }

    private int? Window(int layer)
    {
        int? w = _c["sliding_window"] is JsonValue sv ? sv.GetValue<int>() : null;
        return _type switch
        {
            "mistral" or "phi3" => w,
            "qwen2" or "qwen3" => (_c["use_sliding_window"]?.GetValue<bool>() ?? false) && layer >= Int("max_window_layers") ? w : null,
            _ => null,
        };
    }

    private double[] HeadNorm(double[] x, string p, string which)
    {
        if (_type == "qwen3") return Rms(x, p + which + "_norm.weight");
        if (_type == "phi" && (_c["qk_layernorm"]?.GetValue<bool>() ?? false)) return LayerNorm(x, p + which + "_layernorm");
        return x;
    }

    private double[] Rope(double[] x, int position)
    {
        var y = (double[])x.Clone();
        var half = _rotary / 2;
        for (var i = 0; i < half; i++)
        {
            double c = Math.Cos(position * _invFreq[i]), s = Math.Sin(position * _invFreq[i]);
            y[i] = x[i] * c - x[i + half] * s;
            y[i + half] = x[i + half] * c + x[i] * s;
        }
        return y;
    }

    private double[] InverseFrequencies()
    {
        var theta = _c["rope_theta"]?.GetValue<double>() ?? 10000.0;
        var f = Enumerable.Range(0, _rotary / 2).Select(i => Math.Pow(theta, -2.0 * i / _rotary)).ToArray();
        if (_c["rope_scaling"] is not JsonObject s) return f;
        var type = (s["rope_type"] ?? s["type"])!.GetValue<string>();
        var factor = s["factor"]!.GetValue<double>();
        if (type == "linear") return f.Select(x => x / factor).ToArray();
        double lo = s["low_freq_factor"]!.GetValue<double>(), hi = s["high_freq_factor"]!.GetValue<double>();
        var old = s["original_max_position_embeddings"]!.GetValue<double>();
        return f.Select(x =>
        {
            var wavelength = 2 * Math.PI / x;
            if (wavelength < old / hi) return x;
            if (wavelength > old / lo) return x / factor;
            var smooth = (old / wavelength - lo) / (hi - lo);
            return (1 - smooth) * x / factor + smooth * x;
        }).ToArray();
    }

    private double[] GatedMlp(double[] x, string p)
    {
        double[] gate, up;
        if (_type == "phi3")
        {
            var both = Linear(x, p + "gate_up_proj");
            (gate, up) = (both[..(both.Length / 2)], both[(both.Length / 2)..]);
        }
        else (gate, up) = (Linear(x, p + "gate_proj"), Linear(x, p + "up_proj"));
        return Linear(gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray(), p + "down_proj");
    }

    private double[] Act(double[] x) => x.Select(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))).ToArray();

    private double[] Rms(double[] x, string weight)
    {
        var eps = _c["rms_norm_eps"]?.GetValue<double>() ?? 1e-6;
        var r = 1 / Math.Sqrt(x.Select(v => v * v).Average() + eps);
        return x.Select((v, i) => v * r * _w[weight][i]).ToArray();
    }

    private double[] LayerNorm(double[] x, string p)
    {
        var eps = _c["layer_norm_eps"]?.GetValue<double>() ?? 1e-5;
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select((v, i) => (v - mean) / Math.Sqrt(variance + eps) * _w[p + ".weight"][i] + _w[p + ".bias"][i]).ToArray();
    }

    private double[] Linear(double[] x, string p)
    {
        var weight = _w[p + ".weight"];
        var y = MatVec(weight, x, weight.Length / x.Length);
        if (_w.TryGetValue(p + ".bias", out var b)) for (var i = 0; i < y.Length; i++) y[i] += b[i];
        return y;
    }

    private static double[] MatVec(double[] w, double[] x, int rows)
    {
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            double s = 0;
            for (var i = 0; i < x.Length; i++) s += w[r * x.Length + i] * x[i];
            y[r] = s;
        }
        return y;
    }

    private double[] Row(string name, int row, int width) => _w[name].AsSpan(row * width, width).ToArray();
    private static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();
    private static double[] Sum(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();
    private int Int(string key) => _c[key]!.GetValue<int>();
    private string Str(string key) => _c[key]!.GetValue<string>();
}
