using System.Text.Json.Nodes;
using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>
/// RoPE frequencies from config.json as transformers' ROPE_INIT_FUNCTIONS compute them: rope_theta,
/// partial rotary dims, and rope_scaling types "linear" and "llama3" (under "rope_type" or the old "type" key;
/// transformers 5 nests all of it in "rope_parameters"). Any other type is refused by name.
/// </summary>
public static class RopeConfig
{
    public static IReadOnlyList<string> SupportedScalings { get; } = ["default", "linear", "llama3"];

    public static RopeSpec Read(ConfigReader config, int headDim, double partialRotaryFactor, int maxPositions)
    {
        var parameters = config.Root["rope_parameters"] as JsonObject;
        var scaling = parameters ?? config.Root["rope_scaling"] as JsonObject;
        if (config.Root["rope_scaling"] is { } raw && raw is not JsonObject)
            throw config.Invalid("rope_scaling", "an object or null", raw);
        var theta = parameters?["rope_theta"]?.GetValue<double>() ?? config.Double("rope_theta", 10000.0);
        var rotaryDim = (int)(headDim * partialRotaryFactor);
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim)
            throw new InvalidDataException($"{config.Family} config.json: rotary dimension head_dim·partial_rotary_factor = {rotaryDim} " +
                $"(head_dim {headDim}) must be even and between 2 and head_dim.");
        var frequencies = Enumerable.Range(0, rotaryDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / rotaryDim)).ToArray();
        var type = (scaling?["rope_type"] ?? scaling?["type"])?.GetValue<string>() ?? "default";
        var scaled = type switch
        {
            "default" => frequencies,
            "linear" => frequencies.Select(f => f / Factor(config, scaling!)).ToArray(),
            "llama3" => Llama3(config, scaling!, frequencies, maxPositions),
            _ => throw new NotSupportedException($"{config.Family} config.json: rope_scaling type \"{type}\" is not supported " +
                $"(supported: {string.Join(", ", SupportedScalings)}). A model that needs it would give wrong outputs."),
        };
        return new RopeSpec(rotaryDim, scaled);
    }

    private static double Factor(ConfigReader config, JsonObject scaling) => Number(config, scaling, "factor");

    /// <summary>Llama 3.1's scaling: long wavelengths divided by factor, short kept, a smooth blend between.</summary>
    private static double[] Llama3(ConfigReader config, JsonObject scaling, double[] frequencies, int maxPositions)
    {
        var factor = Factor(config, scaling);
        var low = Number(config, scaling, "low_freq_factor");
        var high = Number(config, scaling, "high_freq_factor");
        var original = scaling["original_max_position_embeddings"] is null ? maxPositions : Number(config, scaling, "original_max_position_embeddings");
        double lowWavelength = original / low, highWavelength = original / high;
        return frequencies.Select(f =>
        {
            var wavelength = 2 * Math.PI / f;
            if (wavelength < highWavelength) return f;
            if (wavelength > lowWavelength) return f / factor;
            var smooth = (original / wavelength - low) / (high - low);
            return (1 - smooth) * f / factor + smooth * f;
        }).ToArray();
    }

    private static double Number(ConfigReader config, JsonObject scaling, string key) =>
        scaling[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d
            : throw new InvalidDataException($"{config.Family} config.json: rope_scaling needs a numeric \"{key}\".");
}
