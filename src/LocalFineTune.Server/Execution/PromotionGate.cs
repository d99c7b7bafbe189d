using LocalFineTune.Jobs;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Server.Execution;

/// <summary>A job's "promote" option: what happens to its base's "latest" when the job's model is published.</summary>
public static class PromotePolicy
{
    /// <summary>The default for every job: a successful job becomes its base's latest, as the newest folder did before pointers.</summary>
    public const string Always = "always";

    /// <summary>Only when its eval loss on the job's holdout (its validation file) beats the current latest's.</summary>
    public const string IfBetter = "if_better";

    public const string Never = "never";

    public static readonly IReadOnlyList<string> All = [Always, IfBetter, Never];
}

/// <summary>Whether a finished job's model became latest, and why (also written to the job's events).</summary>
public sealed record PromotionDecision(bool Promoted, string Reason);

/// <summary>
/// Runs after a job published its folder: moves the base's "latest" pointer as the job's <see cref="TrainingJobSpec.Promote"/>
/// policy says. A model that is not promoted stays on disk and selectable by name.
/// </summary>
public sealed class PromotionGate(ModelPromotion promotion, HoldoutComparison comparison)
{
    public PromotionDecision Apply(JobExecution context, TrainingJobSpec spec, FineTuneOutcome outcome)
    {
        var decision = (spec.Promote ?? PromotePolicy.Always) switch
        {
            PromotePolicy.Never => new PromotionDecision(false, "not promoted: the job's promote option is \"never\""),
            PromotePolicy.IfBetter => comparison.Judge(spec, outcome.Name, outcome.Result.Before.Loss, outcome.Result.After.Loss),
            _ => new PromotionDecision(true, "promoted on success (promote: \"always\", the default)"),
        };
        if (decision.Promoted)
        {
            decision = Promote(context, outcome, decision);
        }
        context.Log($"{outcome.Name}: {decision.Reason}.", decision.Promoted ? JobEventLevel.Info : JobEventLevel.Warn, dataJson: System.Text.Json.JsonSerializer.Serialize(new
        {
            promoted = decision.Promoted, reason = decision.Reason, model_name = outcome.Name,
        }));
        return decision;
    }

    /// <summary>The folder is already published: a failure to store the pointer must not fail the job (a rerun would
    /// train again), so it is reported and the model can be promoted by hand.</summary>
    private PromotionDecision Promote(JobExecution context, FineTuneOutcome outcome, PromotionDecision decision)
    {
        try
        {
            promotion.Promote(outcome.Name, context.JobId, decision.Reason);
            return decision;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PromotionDecision(false, $"not promoted: storing the latest pointer failed ({e.Message}); " +
                $"promote it by hand with POST /api/finetune/models/{outcome.Name}/promote");
        }
    }
}
