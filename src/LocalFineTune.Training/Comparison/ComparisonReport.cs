using System.Text.Json;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Comparison;

/// <summary>One held-out prompt, what the data expects, and each fine-tuned model's answer (by model name).</summary>
public sealed record SampleAnswers(string Prompt, string? Expected, IReadOnlyDictionary<string, string> Answers);

/// <summary>
/// Several bases fine-tuned on one dataset, side by side. <see cref="Best"/> is the lowest eval loss after training
/// among those that succeeded; a tie (within 1e-9) goes to the smaller model, then the smaller folder.
/// </summary>
public sealed record ComparisonReport
{
    public required string Id { get; init; }
    public required string Dataset { get; init; }
    public required DateTime Created { get; init; }
    public required IReadOnlyList<ComparedModel> Models { get; init; }
    public IReadOnlyList<SampleAnswers> Samples { get; init; } = [];

    /// <summary>Where <see cref="Samples"/> stand: "waiting" (jobs not final), "generating", "ready", "failed" or "none".</summary>
    public string? SamplesStatus { get; init; }
    public string? SamplesError { get; init; }

    /// <summary>"running" while any job is not final, then "completed".</summary>
    public string Status => Models.All(m => m.Status is "succeeded" or "failed" or "cancelled") ? "completed" : "running";

    public string? Best => BestOf(Models)?.Model;

    public static ComparedModel? BestOf(IEnumerable<ComparedModel> models) => models
        .Where(m => m.Status == "succeeded" && m.EvalLossAfter is { } loss && double.IsFinite(loss))
        .OrderBy(m => Math.Round(m.EvalLossAfter!.Value, 9))
        .ThenBy(m => m.Parameters ?? long.MaxValue)
        .ThenBy(m => m.FolderBytes ?? long.MaxValue)
        .FirstOrDefault();

    public string ToJson() => JsonSerializer.Serialize(this, TrainingOptions.JsonOptions);
}
