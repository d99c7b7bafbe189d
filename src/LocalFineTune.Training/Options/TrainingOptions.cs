using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalFineTune.Training.Options;

public enum LrSchedulerKind { Linear, Cosine, Constant }

/// <summary>
/// Every hyperparameter of a fine-tuning run. Defaults follow the service contract (seed 004): 3 epochs,
/// batch 4, learning rate 2e-5, which suit a pretrained base. JSON names are snake_case, as the HTTP API takes them.
/// Call <see cref="TrainingOptionsValidator.Validate"/> (or <see cref="EnsureValid"/>) before training.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data: 1–50, or "auto" (OpenAI's heuristic, see <see cref="AutoEpochs"/>).</summary>
    public AutoInt Epochs { get; init; } = 3;

    /// <summary>Sequences per micro-batch: 1–512, or "auto" (largest that fits; see <see cref="BatchSizeEstimator"/>).</summary>
    public AutoInt BatchSize { get; init; } = 4;

    /// <summary>Full fine-tuning's default peak learning rate, for pretrained bases.</summary>
    public const double FullLearningRate = 2e-5;

    /// <summary>LoRA's default: adapters start at zero and need a rate about ten times higher (PEFT's examples use 1e-4–3e-4).</summary>
    public const double LoraLearningRate = 2e-4;

    /// <summary>DPO's defaults: TRL's 1e-6 for full weights, ten times that for adapters.</summary>
    public const double DpoFullLearningRate = 1e-6;
    public const double DpoLoraLearningRate = 1e-5;

    /// <summary>
    /// Peak learning rate of AdamW; null = the method's default (<see cref="FullLearningRate"/> or <see cref="LoraLearningRate"/>,
    /// fixed by <see cref="MethodResolver"/>). A random-init base needs ~1e-3 (tiny-gpt2's training_defaults.json).
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>full, lora, auto (full when it fits the device's memory with headroom, LoRA otherwise) or dpo.</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.Auto;

    /// <summary>LoRA's settings; null = the defaults when the method is (or resolves to) LoRA. With dpo, giving it means DPO with LoRA.</summary>
    public LoraOptions? Lora { get; init; }

    /// <summary>DPO's settings (beta, loss type, …); null = the defaults. Only read when method is dpo.</summary>
    public DpoOptions? Dpo { get; init; }

    /// <summary>LoRA only: publish the merged weights (and the adapter in adapter/); false keeps only the adapter, for very large bases.</summary>
    public bool Merge { get; init; } = true;

    /// <summary>Recompute each block's activations in backward instead of keeping them: less memory, about a third more compute.</summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Micro-batches per optimizer step; the effective batch is batch_size × this.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Linear warm-up length in optimizer steps. Takes precedence over <see cref="WarmupRatio"/> when above 0.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Warm-up as a fraction of all optimizer steps, used when <see cref="WarmupSteps"/> is 0.</summary>
    public double WarmupRatio { get; init; }

    /// <summary>linear, cosine or constant (after warm-up).</summary>
    public LrSchedulerKind LrScheduler { get; init; } = LrSchedulerKind.Linear;

    /// <summary>Decoupled AdamW weight decay, applied to matrices only (never to biases or LayerNorm).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm clip; 0 disables clipping (the norm is still reported).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Tokens per sequence; null = the model's context length. Longer examples are truncated.</summary>
    public int? MaxSeqLength { get; init; }

    /// <summary>Seeds data shuffling and dropout: same seed, data and device → same weights on CPU.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Evaluate every N optimizer steps (and always before and after); 0 = only before and after.</summary>
    public int EvalSteps { get; init; }

    /// <summary>Write checkpoint-&lt;step&gt;/ every N optimizer steps; 0 = no intermediate checkpoints.</summary>
    public int SaveSteps { get; init; }

    /// <summary>
    /// Also write a checkpoint at the end of each of the last N epochs (the final weights included); 0 = none.
    /// /v1 jobs use 3, as OpenAI keeps the last three epochs' checkpoints.
    /// </summary>
    public int SaveLastEpochs { get; init; }

    /// <summary>Checkpoints kept (oldest pruned first); 0 = keep all.</summary>
    public int SaveTotalLimit { get; init; } = 2;

    /// <summary>"auto", "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>What the forward pass computes in: "auto" (bfloat16 on CUDA, float32 on CPU), "float32" or "bfloat16"
    /// (mixed precision: float32 weights, bf16 matmuls). See <see cref="ComputeDtype"/>.</summary>
    public string Dtype { get; init; } = ComputeDtype.Auto;

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>True when the job trains LoRA adapters (the method resolved to LoRA, or DPO with a "lora" object).</summary>
    [JsonIgnore]
    public bool UsesLora => Method == TrainingMethod.Lora || (Method == TrainingMethod.Dpo && Lora is not null);

    /// <summary>The peak rate actually used: <see cref="LearningRate"/>, or the method's default.</summary>
    [JsonIgnore]
    public double PeakLearningRate => LearningRate ?? (Method == TrainingMethod.Dpo
        ? (UsesLora ? DpoLoraLearningRate : DpoFullLearningRate)
        : (UsesLora ? LoraLearningRate : FullLearningRate));

    public static TrainingOptions FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingOptions>(json, JsonOptions) ?? throw new JsonException("training options: null");

    /// <summary>Throws <see cref="TrainingOptionsException"/> listing every invalid field.</summary>
    public TrainingOptions EnsureValid()
    {
        var errors = TrainingOptionsValidator.Validate(this);
        if (errors.Count > 0) throw new TrainingOptionsException(errors);
        return this;
    }
}

/// <summary>One invalid hyperparameter: the snake_case field (as in the API) and what is allowed.</summary>
public sealed record OptionError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

public sealed class TrainingOptionsException(IReadOnlyList<OptionError> errors)
    : ArgumentException("invalid training options: " + string.Join("; ", errors))
{
    public IReadOnlyList<OptionError> Errors { get; } = errors;
}
