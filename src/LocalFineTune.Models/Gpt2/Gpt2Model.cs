using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Families;
using LocalFineTune.Models.Internal;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Gpt2;

/// <summary>
/// GPT-2 (GPT2LMHeadModel) on the shared <see cref="DecoderModel"/>, with GPT-2's own config record and init.
/// Constructor and <see cref="ParameterShapes"/> use names without the "transformer." prefix (wte, wpe, h.N.…,
/// ln_f, lm_head); <see cref="DecoderModel.NamedParameters"/> lists the checkpoint keys (with it).
/// </summary>
public sealed class Gpt2Model : DecoderModel
{
    /// <param name="parameters">Every tensor of <see cref="ParameterShapes"/>, already on <paramref name="device"/>;
    /// the model takes ownership.</param>
    public Gpt2Model(Gpt2Config config, IReadOnlyDictionary<string, Tensor> parameters, Device device, ILinearFactory? linearFactory = null)
        : base(Gpt2Family.Spec(config), parameters.ToDictionary(p => CheckpointName(p.Key), p => p.Value), device, linearFactory)
    {
        Config = config;
    }

    public Gpt2Config Config { get; }

    /// <summary>Names (without "transformer.") and shapes of every parameter, in GPT2LMHeadModel's order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ParameterShapes(Gpt2Config c) =>
        DecoderParameters.Shapes(Gpt2Family.Spec(c)).Select(p => (ShortName(p.Name), p.Shape)).ToList();

    /// <summary>
    /// A fresh model initialised as transformers' GPT2PreTrainedModel._init_weights does: weights
    /// N(0, initializer_range), c_proj weights N(0, initializer_range/sqrt(2·n_layer)), biases 0, LayerNorm 1/0.
    /// The same seed gives the same weights on every device (they are drawn on the CPU by our own generator).
    /// </summary>
    public static Gpt2Model CreateRandom(Gpt2Config config, ulong seed, Device device, ScalarType dtype = ScalarType.Float32)
    {
        config.Validate();
        var random = new SeededRandom(seed);
        var parameters = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, shape) in ParameterShapes(config))
                parameters[name] = DecoderInit.Place(RandomValues(name, shape, config, random), shape, device, dtype);
            return new Gpt2Model(config, parameters, device);
        }
        catch
        {
            foreach (var t in parameters.Values) t.Dispose();
            throw;
        }
    }

    private static string CheckpointName(string name) => name == "lm_head.weight" ? name : "transformer." + name;

    private static string ShortName(string key) => key.StartsWith("transformer.", StringComparison.Ordinal) ? key["transformer.".Length..] : key;

    private static float[] RandomValues(string name, long[] shape, Gpt2Config config, SeededRandom random)
    {
        var isLayerNorm = name.StartsWith("ln_f") || name.Contains(".ln_");
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        if (isLayerNorm && name.EndsWith(".weight")) Array.Fill(values, 1f);
        else if (name.EndsWith(".weight"))
        {
            // GPT-2 paper: residual projections scaled by 1/sqrt(N) with N = 2·n_layer residual additions.
            var std = config.InitializerRange / (name.EndsWith("c_proj.weight") ? Math.Sqrt(2.0 * config.NLayer) : 1.0);
            for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextNormal() * std);
        }
        return values;
    }
}
