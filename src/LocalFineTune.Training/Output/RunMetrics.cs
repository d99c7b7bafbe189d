using System.Text.Json;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Output;

/// <summary>metrics.json of a fine-tuned folder: eval before and after, the loss history, and what "auto" resolved to.</summary>
public sealed record RunMetrics(
    string BaseModel,
    string EvalDataset,
    double EvalLossBefore,
    double EvalPerplexityBefore,
    double EvalLossAfter,
    double EvalPerplexityAfter,
    double TrainRuntimeSeconds,
    long TokensSeen,
    ResolvedHyperparameters Resolved,
    IReadOnlyList<StepLog> LossHistory,
    IReadOnlyList<EvalLog> EvalHistory)
{
    public static RunMetrics From(TrainingResult result, string baseModel) => new(
        baseModel, result.Before.Dataset, result.Before.Loss, result.Before.Perplexity, result.After.Loss, result.After.Perplexity,
        result.State.ElapsedSeconds, result.State.TokensSeen, result.Resolved, result.State.LogHistory, result.State.EvalHistory);

    public string ToJson() => JsonSerializer.Serialize(this, TrainingOptions.JsonOptions);
}
