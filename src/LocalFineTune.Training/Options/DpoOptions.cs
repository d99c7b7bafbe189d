using System.Text.Json.Serialization;

namespace LocalFineTune.Training.Options;

/// <summary>
/// Which preference loss DPO minimises. Sigmoid is the DPO paper's loss (with optional label smoothing,
/// the "conservative DPO" variant); IPO regresses the log-ratio margin onto 1/(2β) and does not saturate,
/// which helps when preferences are near-deterministic and sigmoid DPO overfits.
/// JSON values are snake_case: "sigmoid", "ipo" (TRL's loss_type names).
/// </summary>
[JsonConverter(typeof(DpoLossTypeJsonConverter))]
public enum DpoLossType { Sigmoid, Ipo }

/// <summary>
/// Settings of Direct Preference Optimization (JSON object "dpo" inside the training options).
/// β scales how far the policy may move from the reference model: small β trusts the preferences more.
/// </summary>
public sealed record DpoOptions
{
    /// <summary>Upper bound of β, as OpenAI's fine-tuning API accepts it.</summary>
    public const double MaxBeta = 2.0;

    /// <summary>Temperature of the implicit reward, in (0, 2]. 0.1 is the paper's and TRL's default.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>sigmoid (DPO) or ipo.</summary>
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;

    /// <summary>
    /// Probability that a pair's label is flipped (conservative DPO), in [0, 0.5). 0 = plain DPO.
    /// Only the sigmoid loss uses it.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Compute every example's reference log-probabilities in one pass before training, then free the reference
    /// model (a frozen copy of the weights) for the rest of the run. Gives the same loss as on-the-fly computation.
    /// </summary>
    public bool PrecomputeReference { get; init; }

    /// <summary>Range checks; each error names the field as the API spells it ("dpo.beta", …).</summary>
    public IReadOnlyList<OptionError> Validate()
    {
        var errors = new List<OptionError>();
        if (!(double.IsFinite(Beta) && Beta > 0 && Beta <= MaxBeta))
            errors.Add(new OptionError("dpo.beta", $"{Beta} is out of range; use a value above 0 and at most {MaxBeta} (0.1 is usual)"));
        if (!Enum.IsDefined(LossType))
            errors.Add(new OptionError("dpo.loss_type", $"\"{LossType}\" is unknown; use sigmoid or ipo"));
        if (!(double.IsFinite(LabelSmoothing) && LabelSmoothing >= 0 && LabelSmoothing < 0.5))
            errors.Add(new OptionError("dpo.label_smoothing", $"{LabelSmoothing} is out of range; use 0 (plain DPO) up to below 0.5"));
        if (LabelSmoothing > 0 && LossType == DpoLossType.Ipo)
            errors.Add(new OptionError("dpo.label_smoothing", "label smoothing applies to the sigmoid loss only; use 0 with loss_type ipo"));
        return errors;
    }
}

/// <summary>Reads and writes <see cref="DpoLossType"/> as "sigmoid"/"ipo" whatever naming policy the caller's options use.</summary>
public sealed class DpoLossTypeJsonConverter : JsonStringEnumConverter<DpoLossType>
{
    public DpoLossTypeJsonConverter() : base(System.Text.Json.JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) { }
}
