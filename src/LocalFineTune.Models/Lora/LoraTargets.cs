using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// Which projections LoRA settings select, from the architecture alone (no weights loaded): the same rule
/// <see cref="LoraLinearFactory"/> applies, so a request can be refused, and memory estimated, before a job starts.
/// </summary>
public static class LoraTargets
{
    /// <summary>Every projection the settings adapt: module path and its (in, out) features.</summary>
    public static IReadOnlyList<(string Path, long InFeatures, long OutFeatures)> Matching(DecoderSpec spec, LoraSettings settings)
    {
        var inOut = spec.LinearLayout == LinearLayout.InOut;
        return DecoderParameters.Shapes(spec)
            .Where(p => p.Shape.Length == 2 && p.Name.EndsWith(".weight", StringComparison.Ordinal))
            .Select(p => (Path: p.Name[..^".weight".Length], p.Shape))
            .Where(p => LoraSettings.KnownTargets.Contains(LastSegment(p.Path)) && settings.Targets(p.Path, spec.Keys.LmHead))
            .Select(p => inOut ? (p.Path, p.Shape[0], p.Shape[1]) : (p.Path, p.Shape[1], p.Shape[0]))
            .ToList();
    }

    /// <summary>Trainable parameters the adapters add: r·(in + out) per adapted projection.</summary>
    public static long AdapterParameterCount(DecoderSpec spec, LoraSettings settings) =>
        Matching(spec, settings).Sum(t => (long)settings.R * (t.InFeatures + t.OutFeatures));

    /// <summary>Throws the same "matches nothing" error as building the model would, naming lora.target_modules.</summary>
    public static void RequireAnyMatch(DecoderSpec spec, LoraSettings settings)
    {
        if (Matching(spec, settings).Count > 0) return;
        var names = DecoderParameters.Shapes(spec).Select(p => LastSegment(p.Name[..p.Name.LastIndexOf('.')]))
            .Where(LoraSettings.KnownTargets.Contains).Distinct();
        throw new ArgumentException($"lora.target_modules [{string.Join(", ", settings.TargetModules)}] matches no projection of this " +
            $"{spec.ModelType} model; its projections end in {string.Join(", ", names)}.", "lora.target_modules");
    }

    private static string LastSegment(string path) => path[(path.LastIndexOf('.') + 1)..];
}
