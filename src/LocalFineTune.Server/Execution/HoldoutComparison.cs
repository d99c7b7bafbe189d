using System.Globalization;
using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Catalog;
using BaseModels = LocalFineTune.Training.Output.BaseModels;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// The "if_better" gate: the new model's eval loss on the holdout (the job's validation file, so the trainer measured
/// it after training) against the current latest's loss on the same file. That loss comes from this very run when the
/// job trained from the current latest (continue_from latest: the trainer's "before" evaluation), else from the job that
/// promoted the current latest, when it used the same holdout file. Without a comparable loss nothing is promoted.
/// </summary>
public sealed class HoldoutComparison(ModelCatalog catalog, IJobStore store)
{
    /// <param name="modelName">The new model's folder name.</param>
    /// <param name="lossBefore">The trainer's eval loss on the holdout before training (of <c>spec.ModelPath</c>).</param>
    /// <param name="newLoss">The new model's eval loss on the holdout.</param>
    public PromotionDecision Judge(TrainingJobSpec spec, string modelName, double lossBefore, double newLoss)
    {
        if (spec.ValidationDatasetPath is null || !double.IsFinite(newLoss))
            return new(false, "not promoted: promote \"if_better\" needs a holdout file, and this job measured no eval loss on one");
        var folders = catalog.ListFineTuned();
        var baseModel = folders.FirstOrDefault(f => f.Name == modelName)?.BaseModel ?? BaseModels.NameOf(modelName);
        var current = CurrentLatest(folders, baseModel, modelName);
        if (current is null)
            return new(true, $"promoted: the first fine-tune of base '{baseModel}' (holdout eval loss {Format(newLoss)})");
        var currentLoss = CurrentLoss(spec, lossBefore, current);
        if (currentLoss is null)
            return new(false, $"not promoted: no eval loss of the current latest '{current.Name}' on this holdout is known " +
                "(train with continue_from \"latest\", or promote by hand with POST /api/finetune/models/{name}/promote)");
        return newLoss < currentLoss
            ? new(true, $"promoted: holdout eval loss {Format(newLoss)} beats the current latest '{current.Name}' ({Format(currentLoss.Value)})")
            : new(false, $"not promoted: holdout eval loss {Format(newLoss)} does not beat the current latest '{current.Name}' ({Format(currentLoss.Value)})");
    }

    /// <summary>The base's latest before this job: its pointer, else its newest folder other than the new one.</summary>
    private FineTunedModelInfo? CurrentLatest(IReadOnlyList<FineTunedModelInfo> folders, string baseModel, string newName)
    {
        var others = folders.Where(f => f.BaseModel == baseModel && f.Name != newName).ToList();
        var pointer = catalog.Pointers?.GetLatest(baseModel);
        return others.FirstOrDefault(f => f.Name == pointer?.ModelName) ?? others.FirstOrDefault();
    }

    private double? CurrentLoss(TrainingJobSpec spec, double lossBefore, FineTunedModelInfo current)
    {
        if (SamePath(current.Path, spec.ModelPath)) return Finite(lossBefore);
        var pointer = catalog.Pointers?.GetLatest(current.BaseModel);
        if (pointer?.ModelName != current.Name || pointer.JobId is null || store.Get(pointer.JobId) is not { ResultJson: { } result } job) return null;
        var previous = TrainingJobSpec.FromJson(job.SpecJson);
        if (previous.ValidationDatasetPath is null || !SamePath(previous.ValidationDatasetPath, spec.ValidationDatasetPath!)) return null;
        using var doc = JsonDocument.Parse(result);
        return doc.RootElement.TryGetProperty("eval_loss_after", out var loss) && loss.TryGetDouble(out var value) ? Finite(value) : null;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string Format(double loss) => loss.ToString("F4", CultureInfo.InvariantCulture);
}
