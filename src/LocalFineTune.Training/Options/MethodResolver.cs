using LocalFineTune.Models;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Options;

/// <summary>The method a job actually trains with, and why (shown in the job's config and its log).</summary>
public sealed record ResolvedMethod(TrainingOptions Options, string Explanation);

/// <summary>
/// Turns method "auto" into full or LoRA, fills in LoRA's settings and the method's default learning rate, so every
/// surface shows and stores the choice that will run. The estimate counts what training keeps for the whole run:
/// full needs 16 bytes per parameter (float32 weights, gradients, two AdamW moments; DPO adds a 4-byte frozen reference),
/// LoRA 4 bytes per base parameter plus 16 per adapter parameter. Full is chosen when that fits in
/// <see cref="FullFitsFraction"/> of the device's memory, leaving the rest for activations and everything else.
/// A model folder that already has an adapter (a LoRA fine-tune) continues that adapter unless method is "full".
/// </summary>
public static class MethodResolver
{
    public const double FullFitsFraction = 0.6;
    public const int FullBytesPerParameter = 16;
    public const int ReferenceBytesPerParameter = 4;

    public static ResolvedMethod Resolve(TrainingOptions options, string modelDir, long? deviceMemoryBytes = null)
    {
        var adapterDir = AdapterFolders.AdapterDirOf(modelDir);
        if (options.Method == TrainingMethod.Full && AdapterFolders.IsAdapterOnly(modelDir))
            throw new ArgumentException($"{Path.GetFileName(modelDir)} keeps only a LoRA adapter, so it cannot be fully fine-tuned; train it with " +
                "method \"lora\" (continuing the adapter), or merge it first (lft merge) and fully fine-tune the merged folder.", "method");
        if (options.Method != TrainingMethod.Full && adapterDir is not null)
            return Continue(options, adapterDir);
        var spec = SpecOf(modelDir, AdapterFolders.IsAdapterOnly(modelDir) ? AdapterFolders.BaseDirectoryOf(adapterDir!) : modelDir);
        var resolved = Fresh(options, spec, deviceMemoryBytes);
        if (resolved.Options is { UsesLora: true, Lora: { } lora }) LoraTargets.RequireAnyMatch(spec, lora.ToSettings(options.Seed));
        return resolved;
    }

    private static ResolvedMethod Fresh(TrainingOptions options, DecoderSpec spec, long? deviceMemoryBytes)
    {
        return options.Method switch
        {
            TrainingMethod.Full => new(WithRate(options), "method full: every weight trains"),
            TrainingMethod.Lora => new(WithRate(options with { Lora = options.Lora ?? new LoraOptions() }), "method lora: adapters on a frozen base"),
            TrainingMethod.Auto when options.Lora is not null =>
                new(WithRate(options with { Method = TrainingMethod.Lora }), "method auto → lora (a \"lora\" object was given)"),
            TrainingMethod.Auto => Auto(options, spec, deviceMemoryBytes ?? DeviceMemoryBytes(options.Device), "auto"),
            TrainingMethod.Dpo when options.Lora is not null => new(WithRate(options), "method dpo with LoRA adapters (a \"lora\" object was given)"),
            TrainingMethod.Dpo => Auto(options, spec, deviceMemoryBytes ?? DeviceMemoryBytes(options.Device), "dpo"),
            _ => throw new ArgumentException($"method \"{options.Method}\" is unknown; use full, lora, auto or dpo.", "method"),
        };
    }

    /// <summary>Bytes full fine-tuning keeps for the run (DPO: plus a frozen reference copy).</summary>
    public static long FullBytes(DecoderSpec spec, bool dpo) =>
        DecoderParameters.Count(spec) * (FullBytesPerParameter + (dpo ? ReferenceBytesPerParameter : 0));

    /// <summary>Bytes LoRA keeps: the frozen float32 base and the adapters with their gradients and moments.</summary>
    public static long LoraBytes(DecoderSpec spec, LoraOptions lora) =>
        DecoderParameters.Count(spec) * 4 + LoraTargets.AdapterParameterCount(spec, lora.ToSettings(0)) * FullBytesPerParameter;

    /// <summary>Physical memory for the CPU (or the container's limit), the device's total for CUDA.</summary>
    public static long DeviceMemoryBytes(string device)
    {
        var parsed = Device.Parse(device);
        return parsed.IsCuda ? Runtime.CudaMemory(parsed.Index).TotalBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static ResolvedMethod Auto(TrainingOptions options, DecoderSpec spec, long memory, string asked)
    {
        var dpo = options.Method == TrainingMethod.Dpo;
        var full = FullBytes(spec, dpo);
        var budget = (long)(memory * FullFitsFraction);
        var sizes = $"full training needs about {Gb(full)} GB, {FullFitsFraction:P0} of the device's {Gb(memory)} GB is {Gb(budget)} GB";
        if (full <= budget)
            return new(WithRate(dpo ? options : options with { Method = TrainingMethod.Full }), $"method {asked} → full ({sizes})");
        var lora = options.Lora ?? new LoraOptions();
        var chosen = options with { Method = dpo ? TrainingMethod.Dpo : TrainingMethod.Lora, Lora = lora };
        return new(WithRate(chosen), $"method {asked} → {(dpo ? "dpo with " : "")}lora ({sizes}; LoRA needs about {Gb(LoraBytes(spec, lora))} GB)");
    }

    private static ResolvedMethod Continue(TrainingOptions options, string adapterDir)
    {
        var settings = PeftAdapter.ReadSettings(adapterDir);
        var method = options.Method == TrainingMethod.Dpo ? TrainingMethod.Dpo : TrainingMethod.Lora;
        var kept = LoraOptions.From(settings);
        return new(WithRate(options with { Method = method, Lora = kept }),
            $"method {options.Method.ToString().ToLowerInvariant()} → continuing the model's LoRA adapter (r {kept.R}, alpha {kept.Alpha}, " +
            $"{string.Join(",", kept.TargetModules)}); method full trains the merged weights instead");
    }

    /// <summary>For a model already built (the trainer's own callers): auto means LoRA exactly when the model has adapters.</summary>
    public static TrainingOptions ForModel(TrainingOptions options, ICausalLanguageModel model)
    {
        options = options with { Dtype = ComputeDtype.Resolve(options.Dtype, model.Device.ToString()) };
        if (options.Method != TrainingMethod.Auto) return options;
        var hasAdapters = model.TrainableParameters.Any(p => p.Name.EndsWith(".lora_A.weight", StringComparison.Ordinal));
        return options with { Method = hasAdapters ? TrainingMethod.Lora : TrainingMethod.Full };
    }

    /// <summary>The defaults that depend on the resolved method and device: the method's learning rate, the compute dtype.</summary>
    private static TrainingOptions WithRate(TrainingOptions options) =>
        options with { LearningRate = options.PeakLearningRate, Dtype = ComputeDtype.Resolve(options.Dtype, options.Device) };

    private static DecoderSpec SpecOf(string modelDir, string weightsDir)
    {
        var path = Path.Combine(weightsDir, "config.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{modelDir} has no config.json; it is not a model folder.");
        return ModelConfig.Load(path).Spec;
    }

    private static string Gb(long bytes) => (bytes / 1e9).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
