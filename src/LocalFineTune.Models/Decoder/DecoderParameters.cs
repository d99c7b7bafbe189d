namespace LocalFineTune.Models.Decoder;

/// <summary>The checkpoint keys and shapes a <see cref="DecoderSpec"/> implies, in the order they are saved.</summary>
public static class DecoderParameters
{
    public static IReadOnlyList<(string Name, long[] Shape)> Shapes(DecoderSpec s)
    {
        var keys = s.Keys;
        long c = s.HiddenSize;
        var list = new List<(string, long[])> { (keys.Embedding + ".weight", [s.VocabSize, c]) };
        if (keys.PositionEmbedding is { } wpe) list.Add((wpe + ".weight", [s.ContextLength, c]));
        for (var i = 0; i < s.Layers; i++)
        {
            var layer = keys.Layer(i) + ".";
            AddNorm(list, layer + keys.InputNorm, c, s.Norm);
            AddAttention(list, layer + keys.Attention + ".", s);
            if (keys.PostAttentionNorm is { } post) AddNorm(list, layer + post, c, s.Norm);
            AddMlp(list, layer + keys.Mlp + ".", s);
        }
        AddNorm(list, keys.FinalNorm, c, s.Norm);
        if (!s.TieWordEmbeddings) AddLinear(list, keys.LmHead, c, s.VocabSize, s.LmHeadBias, LinearLayout.OutIn);
        else if (s.LmHeadBias) list.Add((keys.LmHead + ".bias", [s.VocabSize]));
        return list;
    }

    public static long Count(DecoderSpec spec) => Shapes(spec).Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));

    private static void AddAttention(List<(string, long[])> list, string prefix, DecoderSpec s)
    {
        var a = s.Attention;
        var k = s.Keys;
        long c = s.HiddenSize, q = a.Heads * a.HeadDim, kv = a.KeyValueHeads * a.HeadDim;
        if (a.FusedQkv) AddLinear(list, prefix + k.FusedQkv, c, q + 2 * kv, a.QkvBias, s.LinearLayout);
        else
        {
            AddLinear(list, prefix + k.Query, c, q, a.QkvBias, s.LinearLayout);
            AddLinear(list, prefix + k.Key, c, kv, a.QkvBias, s.LinearLayout);
            AddLinear(list, prefix + k.Value, c, kv, a.QkvBias, s.LinearLayout);
        }
        AddLinear(list, prefix + k.Output, q, c, a.OutputBias, s.LinearLayout);
        if (a.QkNorm is { } norm)
        {
            AddNorm(list, prefix + k.QueryNorm, a.HeadDim, norm);
            AddNorm(list, prefix + k.KeyNorm, a.HeadDim, norm);
        }
    }

    private static void AddMlp(List<(string, long[])> list, string prefix, DecoderSpec s)
    {
        var m = s.Mlp;
        var k = s.Keys;
        long c = s.HiddenSize, inner = m.IntermediateSize;
        if (m.Kind == MlpKind.Gated && m.FusedGateUp) AddLinear(list, prefix + k.FusedGateUp, c, 2 * inner, m.Bias, s.LinearLayout);
        else
        {
            if (m.Kind == MlpKind.Gated) AddLinear(list, prefix + k.Gate, c, inner, m.Bias, s.LinearLayout);
            AddLinear(list, prefix + k.Up, c, inner, m.Bias, s.LinearLayout);
        }
        AddLinear(list, prefix + k.Down, inner, c, m.Bias, s.LinearLayout);
    }

    private static void AddLinear(List<(string, long[])> list, string path, long inFeatures, long outFeatures, bool bias, LinearLayout layout)
    {
        list.Add((path + ".weight", layout == LinearLayout.OutIn ? [outFeatures, inFeatures] : [inFeatures, outFeatures]));
        if (bias) list.Add((path + ".bias", [outFeatures]));
    }

    private static void AddNorm(List<(string, long[])> list, string path, long width, NormSpec norm)
    {
        list.Add((path + ".weight", [width]));
        if (norm.Kind == NormKind.LayerNorm && norm.Bias) list.Add((path + ".bias", [width]));
    }
}
