namespace LocalFineTune.Models.Lora;

/// <summary>
/// LoRA hyperparameters with PEFT's meanings: rank <see cref="R"/>, <see cref="Alpha"/> (scaling alpha/r, or
/// alpha/sqrt(r) with rsLoRA), dropout on the adapter's input, and target modules by the last segment of the
/// module path ("q_proj", "c_attn", …) or "all-linear" (every projection except the output head).
/// </summary>
public sealed record LoraSettings
{
    public const string AllLinear = "all-linear";

    /// <summary>Every projection name the supported families use (PEFT's target_modules vocabulary).</summary>
    public static IReadOnlySet<string> KnownTargets { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
        "c_attn", "c_proj", "c_fc", "qkv_proj", "gate_up_proj", "dense", "fc1", "fc2",
    };

    public int R { get; init; } = 16;
    public double Alpha { get; init; } = 32;
    public double Dropout { get; init; } = 0.05;
    public IReadOnlyList<string> TargetModules { get; init; } = [AllLinear];
    public bool UseRsLora { get; init; }
    /// <summary>Seed of the generator drawing A (B starts at zero), so the same seed gives the same adapter.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>PEFT's scaling: alpha / r, or alpha / sqrt(r) with rsLoRA.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(R) : Alpha / R;

    public bool TargetsAllLinear => TargetModules.Contains(AllLinear);

    /// <summary>Throws an <see cref="ArgumentException"/> whose ParamName is the offending field ("lora.r", …).</summary>
    public void Validate()
    {
        if (R < 1) throw new ArgumentException($"lora.r must be a positive integer (got {R}); 8 to 64 is usual.", "lora.r");
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
            throw new ArgumentException($"lora.alpha must be a positive number (got {Alpha}); 2·r is usual.", "lora.alpha");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentException($"lora.dropout must be in [0, 1) (got {Dropout}).", "lora.dropout");
        if (TargetModules.Count == 0)
            throw new ArgumentException($"lora.target_modules is empty; name modules ({string.Join(", ", KnownTargets)}) or \"{AllLinear}\".", "lora.target_modules");
        var unknown = TargetModules.Where(t => t != AllLinear && !KnownTargets.Contains(t)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"lora.target_modules has unknown module(s) {string.Join(", ", unknown)}; " +
                $"use {string.Join(", ", KnownTargets)} or \"{AllLinear}\".", "lora.target_modules");
    }

    /// <summary>The one "LoRA or plain" decision: by the module path's last segment, never per projection kind.</summary>
    public bool Targets(string modulePath, string outputHeadPath)
    {
        if (modulePath == outputHeadPath) return false; // PEFT never adapts the output head, not even with all-linear
        if (TargetsAllLinear) return true;
        var name = modulePath[(modulePath.LastIndexOf('.') + 1)..];
        return TargetModules.Contains(name);
    }
}
