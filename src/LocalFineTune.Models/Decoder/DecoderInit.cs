using LocalFineTune.Models.Internal;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>Fresh weights as transformers' _init_weights does for these families: linears and embeddings
/// N(0, initializer_range), biases 0, norm gains 1. Drawn on the CPU by our own seeded generator, so the same seed
/// gives the same weights on every device and libtorch's global RNG is untouched.</summary>
public static class DecoderInit
{
    public static DecoderModel CreateRandom(DecoderSpec spec, ulong seed, Device device, ScalarType dtype = ScalarType.Float32)
    {
        var random = new SeededRandom(seed);
        var norms = NormParameterNames(spec);
        var parameters = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, shape) in DecoderParameters.Shapes(spec))
            {
                var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
                if (norms.Contains(name)) Array.Fill(values, 1f);
                else if (name.EndsWith(".weight"))
                    for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextNormal() * spec.InitializerRange);
                parameters[name] = Place(values, shape, device, dtype);
            }
            return new DecoderModel(spec, parameters, device);
        }
        catch
        {
            foreach (var t in parameters.Values) t.Dispose();
            throw;
        }
    }

    internal static Tensor Place(float[] values, long[] shape, Device device, ScalarType dtype)
    {
        using var scope = DisposeScope.Enter();
        var placed = Tensor.FromArray(values, shape).To(dtype, device, copy: true);
        placed.RequiresGrad = true;
        return DisposeScope.Detach(placed);
    }

    private static HashSet<string> NormParameterNames(DecoderSpec s)
    {
        var k = s.Keys;
        var names = new HashSet<string> { k.FinalNorm + ".weight" };
        for (var i = 0; i < s.Layers; i++)
        {
            var layer = k.Layer(i) + ".";
            names.Add(layer + k.InputNorm + ".weight");
            if (k.PostAttentionNorm is { } post) names.Add(layer + post + ".weight");
            names.Add(layer + k.Attention + "." + k.QueryNorm + ".weight");
            names.Add(layer + k.Attention + "." + k.KeyNorm + ".weight");
        }
        return names;
    }
}
