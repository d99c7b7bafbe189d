using System.Text.Json.Nodes;

namespace LocalFineTune.Models.Families;

/// <summary>Which layers attend through a sliding window, as transformers decides it ("layer_types" when present).</summary>
internal static class SlidingWindows
{
    public static IReadOnlyList<int?> None(int layers) => new int?[layers];

    /// <param name="window">The window size (sliding_window), null when the config disables it.</param>
    /// <param name="slides">Transformers' rule for layer i when the config has no "layer_types".</param>
    public static IReadOnlyList<int?> Read(ConfigReader config, int layers, int? window, Func<int, bool> slides)
    {
        if (window is <= 0)
            throw new InvalidDataException($"{config.Family} config.json: \"sliding_window\" is {window}; it must be positive or null.");
        if (config.Root["layer_types"] is JsonArray types) return FromLayerTypes(config, types, layers, window);
        return Enumerable.Range(0, layers).Select(i => window is not null && slides(i) ? window : null).ToArray();
    }

    private static int?[] FromLayerTypes(ConfigReader config, JsonArray types, int layers, int? window)
    {
        if (types.Count != layers)
            throw new InvalidDataException($"{config.Family} config.json: \"layer_types\" has {types.Count} entries for {layers} layers.");
        return types.Select(t => t?.GetValue<string>() switch
        {
            "full_attention" => (int?)null,
            "sliding_attention" => window ?? throw new InvalidDataException(
                $"{config.Family} config.json: \"layer_types\" names sliding_attention but \"sliding_window\" is null."),
            var other => throw new NotSupportedException($"{config.Family} config.json: layer type \"{other}\" is not supported " +
                "(supported: full_attention, sliding_attention)."),
        }).ToArray();
    }
}
