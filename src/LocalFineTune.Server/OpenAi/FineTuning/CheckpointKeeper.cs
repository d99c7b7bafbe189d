using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Training.Checkpoints;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// The trainer's checkpoints live in the run's hidden work folder, which is pruned during training and deleted when the
/// model is published. OpenAI promises usable "ft:…:ckpt-step-N" models, so for /v1 jobs the weights and tokenizer of
/// each new checkpoint are copied to &lt;state&gt;/openai/checkpoints/&lt;job&gt;/ (the newest <see cref="Kept"/>, as OpenAI keeps).
/// </summary>
public sealed class CheckpointKeeper(FineTunedNames names)
{
    public const int Kept = 3;
    private const string MetricsFile = "openai_metrics.json";

    /// <summary>Copies the checkpoint unless already kept. Runs on the training thread between steps, so the folder is stable.</summary>
    public void Keep(JobRecord job, JobCheckpoint checkpoint, double? trainLoss)
    {
        var target = names.CheckpointFolder(job.Id, checkpoint.StepNumber);
        if (Directory.Exists(target) || !TrainingCheckpoints.IsComplete(checkpoint.Path)) return;
        var temp = target + ".copying";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        foreach (var file in Directory.EnumerateFiles(checkpoint.Path))
        {
            // Optimizer moments and RNG state are for resuming, not for inference: they would double the disk use.
            var name = Path.GetFileName(file);
            if (name is OptimizerStateFile.FileName or TrainerState.FileName or TrainingCheckpoints.CompleteMarker) continue;
            File.Copy(file, Path.Combine(temp, name));
        }
        var metrics = new Dictionary<string, double> { ["step"] = checkpoint.StepNumber };
        if (trainLoss is double loss) metrics["train_loss"] = loss;
        File.WriteAllText(Path.Combine(temp, MetricsFile), JsonSerializer.Serialize(metrics));
        Directory.Move(temp, target);
        Prune(job.Id);
    }

    /// <summary>The metrics recorded with a kept checkpoint, or null when it is not (or no longer) kept.</summary>
    public Dictionary<string, double>? MetricsOf(string jobId, long step)
    {
        var path = Path.Combine(names.CheckpointFolder(jobId, step), MetricsFile);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    public void DeleteAll(string jobId)
    {
        var folder = Path.Combine(names.CheckpointsRoot, jobId);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private void Prune(string jobId)
    {
        var folder = Path.Combine(names.CheckpointsRoot, jobId);
        var kept = Directory.EnumerateDirectories(folder, "checkpoint-*")
            .Select(d => (Path: d, Step: long.TryParse(Path.GetFileName(d)["checkpoint-".Length..], out var s) ? s : -1))
            .Where(x => x.Step >= 0).OrderByDescending(x => x.Step).ToList();
        foreach (var old in kept.Skip(Kept)) Directory.Delete(old.Path, recursive: true);
    }
}
