using LocalFineTune.Torch;

namespace LocalFineTune.Training.Options;

/// <summary>
/// The "dtype" option: what the forward pass computes in. Weights, gradients and AdamW moments stay float32 either way
/// (the master copy), so "bfloat16" is mixed precision as transformers' <c>bf16=True</c>, not pure bf16 weights.
/// "auto" is bfloat16 on CUDA (where tensor cores make it about twice as fast and halve activation memory) and float32
/// on the CPU, where most processors lack bf16 matmul units and autocast only adds casts. Resolved when the job is
/// created, so the job's stored config says which one runs.
/// </summary>
public static class ComputeDtype
{
    public const string Auto = "auto";
    public const string Float32 = "float32";
    public const string BFloat16 = "bfloat16";

    public static bool IsKnown(string? dtype) => Normalize(dtype) is Auto or Float32 or BFloat16;

    /// <summary>"auto" → the device's default; "bf16"/"fp32" spellings → the canonical names.</summary>
    public static string Resolve(string? dtype, string device)
    {
        var value = Normalize(dtype);
        if (value != Auto) return value;
        return Device.Parse(device).IsCuda ? BFloat16 : Float32;
    }

    /// <summary>The autocast type for a resolved dtype: null for float32 (no autocast).</summary>
    public static ScalarType? AutocastType(string? resolved) => Normalize(resolved) switch
    {
        BFloat16 => ScalarType.BFloat16,
        Float32 => null,
        var other => throw new ArgumentException($"dtype \"{other}\" is not resolved; call ComputeDtype.Resolve first.", "dtype"),
    };

    private static string Normalize(string? dtype) => dtype?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => Auto,
        "float32" or "fp32" => Float32,
        "bfloat16" or "bf16" => BFloat16,
        var other => other,
    };
}
