using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Internal;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// The LoRA seam: wraps every projection <see cref="LoraSettings.Targets"/> selects in a <see cref="LoraLinear"/>,
/// leaves the others plain. New adapters get A ~ U(-1/√in, 1/√in) (PEFT's kaiming_uniform_ with a = √5) from a
/// seeded generator and B = 0; <paramref name="initial"/> (a loaded adapter, by module path) replaces both.
/// Pass it to the model's constructor, then call <see cref="Finish"/> to freeze the base.
/// </summary>
public sealed class LoraLinearFactory(LoraSettings settings, Device device, string outputHeadPath = "lm_head",
    IReadOnlyDictionary<string, (Tensor A, Tensor B)>? initial = null) : ILinearFactory
{
    private readonly SeededRandom _random = new(settings.Seed);
    private readonly List<LoraLinear> _adapters = [];

    public LoraSettings Settings => settings;
    public IReadOnlyList<LoraLinear> Adapters => _adapters;

    public ILinear Create(LinearSite site)
    {
        var plain = DenseLinearFactory.Instance.Create(site);
        if (!settings.Targets(site.Path, outputHeadPath)) return plain;
        var (a, b) = initial is not null && initial.TryGetValue(site.Path, out var loaded)
            ? (loaded.A.To(ScalarType.Float32, device, copy: true), loaded.B.To(ScalarType.Float32, device, copy: true))
            : (InitialA(site.InFeatures), Tensor.Zeros([site.OutFeatures, settings.R], ScalarType.Float32, device));
        a = DisposeScope.Detach(a)!;
        b = DisposeScope.Detach(b)!;
        a.RequiresGrad = true;
        b.RequiresGrad = true;
        var lora = new LoraLinear(plain, site, a, b, settings.Scaling, settings.Dropout);
        _adapters.Add(lora);
        return lora;
    }

    /// <summary>
    /// After the model is built: freezes every base parameter (no gradients, no optimizer state) and checks that
    /// the targets matched something and that a loaded adapter was used whole.
    /// </summary>
    public void Finish(ICausalLanguageModel model)
    {
        if (_adapters.Count == 0)
            throw new ArgumentException($"lora.target_modules [{string.Join(", ", settings.TargetModules)}] matches no projection of this " +
                $"{model.ModelType} model; its projections end in {string.Join(", ", ProjectionNames(model))}.", "lora.target_modules");
        var unused = initial?.Keys.Except(_adapters.Select(l => l.Path)).ToList() ?? [];
        if (unused.Count > 0)
            throw new ArgumentException($"the adapter has weights for {string.Join(", ", unused.Take(5))}, which this model does not " +
                "adapt: it was trained on another base or with other target_modules.", "adapter");
        foreach (var (_, parameter) in model.NamedParameters) parameter.RequiresGrad = false;
    }

    private Tensor InitialA(long inFeatures)
    {
        var bound = 1.0 / Math.Sqrt(inFeatures); // kaiming_uniform_(a=√5): gain √(2/6), bound √3·gain/√fan_in
        var values = new float[settings.R * inFeatures];
        for (var i = 0; i < values.Length; i++) values[i] = (float)((2 * _random.NextDouble() - 1) * bound);
        using var cpu = Tensor.FromArray(values, settings.R, inFeatures);
        return cpu.To(device, copy: true);
    }

    private static IEnumerable<string> ProjectionNames(ICausalLanguageModel model) =>
        model.ModulePaths.Select(p => p[(p.LastIndexOf('.') + 1)..]).Where(LoraSettings.KnownTargets.Contains).Distinct();
}
