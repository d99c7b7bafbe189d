using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Preference;

namespace LocalFineTune.Training.Output;

/// <summary>What the CLI and the service ask for: a base, a dataset, hyperparameters, where models live.</summary>
public sealed record FineTuneRequest
{
    /// <summary>A model folder, or a name under &lt;ModelsRoot&gt;/base/.</summary>
    public required string Model { get; init; }
    public required string Data { get; init; }
    public TrainingOptions Options { get; init; } = new();
    /// <summary>Where bases are looked up (&lt;ModelsRoot&gt;/base/&lt;name&gt;) and "latest" is found.</summary>
    public string ModelsRoot { get; init; } = "models";
    /// <summary>Where the fine-tuned folder (and its hidden work folder) is written; null = <see cref="ModelsRoot"/>.</summary>
    public string? OutputRoot { get; init; }
    /// <summary>Held-out fraction for eval loss (0 = evaluate on the training data). Ignored when <see cref="ValidationFile"/> is set.</summary>
    public double ValidationSplit { get; init; } = 0.1;
    public string? ValidationFile { get; init; }
    public char? CsvDelimiter { get; init; }
    public int MinExamples { get; init; } = 10;
    /// <summary>A checkpoint folder to continue from; the run keeps its original output name when the checkpoint is ours.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Fixes the timestamp of the output name (tests); null = now.</summary>
    public DateTime? StartedAt { get; init; }
}

public sealed record FineTuneOutcome(string OutputDirectory, string Name, TrainingResult Result, ValidationReport Report);

/// <summary>The dataset failed validation: training refuses it with the same report `lft validate` prints.</summary>
public sealed class DatasetInvalidException(ValidationReport report)
    : Exception($"the dataset is invalid ({report.ErrorCount} error(s)); fix them and retry:\n{report.ToText()}")
{
    public ValidationReport Report { get; } = report;
}

/// <summary>
/// One fine-tuning job end to end: resolve the base, read and validate the data, train (checkpoints in the hidden
/// models/.&lt;name&gt;.partial/ folder), then publish models/&lt;base&gt;-finetuned-&lt;stamp&gt;/ in one rename. A cancelled or
/// failed run never leaves a public folder; its work folder stays only if it holds a checkpoint to resume from.
/// </summary>
public static class FineTuneJob
{
    public static FineTuneOutcome Run(FineTuneRequest request, ITrainingProgress progress, CancellationToken cancellation = default)
    {
        var baseDir = BaseModels.Resolve(request.Model, request.ModelsRoot);
        var resolved = MethodResolver.Resolve(request.Options.EnsureValid(), baseDir);
        var options = resolved.Options;
        progress.OnMessage(resolved.Explanation);
        var baseName = BaseModels.NameOf(baseDir);
        var outputRoot = request.OutputRoot ?? request.ModelsRoot;
        using var loaded = TrainingModels.Load(baseDir, options, progress);
        loaded.Model.GradientCheckpointing = options.GradientCheckpointing;
        var data = TrainingData.Read(request, options, loaded);
        // A resumed run keeps its original name (and work folder) when the checkpoint is one of ours.
        var name = (request.ResumeFrom is { } resume ? OutputFolders.RunNameOfCheckpoint(resume) : null)
            ?? OutputFolders.NewName(outputRoot, baseName, request.StartedAt ?? DateTime.Now);
        var work = OutputFolders.WorkFolder(outputRoot, name);
        Directory.CreateDirectory(work);
        try
        {
            var run = new TrainingRun
            {
                Model = loaded.Model,
                Tokenizer = loaded.Tokenizer,
                FolderIO = options.UsesLora ? new LoraFolderIO(loaded) : new HfFolderIO(loaded.Config, baseDir),
                TrainingExamples = data.Examples,
                EvaluationExamples = data.ValidationExamples,
                Options = options,
                BaseModelName = baseName,
                CheckpointDirectory = Path.Combine(work, "checkpoints"),
                ResumeFrom = request.ResumeFrom,
                Progress = progress,
            };
            var result = data.Preferences is { } pairs ? DpoTrainer.Train(AsDpoRun(run, pairs), cancellation) : Trainer.Train(run, cancellation);
            var output = Path.Combine(outputRoot, name);
            Publish(loaded, baseDir, output, options, result, baseName);
            Directory.Delete(work, recursive: true);
            return new FineTuneOutcome(output, name, result, data.Report);
        }
        catch (Exception) when (TrainingCheckpoints.FindLatestComplete(Path.Combine(work, "checkpoints")) is null)
        {
            Directory.Delete(work, recursive: true);
            throw;
        }
    }

    /// <summary>The same run for the DPO loop; the reference is the policy with adapters off (LoRA) or a frozen copy.</summary>
    private static DpoRun AsDpoRun(TrainingRun run, PreferenceReadResult pairs) => new()
    {
        Model = run.Model, Tokenizer = run.Tokenizer, FolderIO = run.FolderIO, TrainingExamples = pairs.Examples,
        EvaluationExamples = pairs.ValidationExamples, Options = run.Options, BaseModelName = run.BaseModelName,
        CheckpointDirectory = run.CheckpointDirectory, ResumeFrom = run.ResumeFrom, Progress = run.Progress,
    };

    private static void Publish(LoadedModel loaded, string baseDir, string output, TrainingOptions options, TrainingResult result, string baseName)
    {
        var extra = new Dictionary<string, string>
        {
            ["training_args.json"] = options.ToJson(),
            ["metrics.json"] = RunMetrics.From(result, baseName).ToJson(),
            [TrainerState.FileName] = (result.State with { RngStateCpu = null, RngStateCuda = null }).ToJson(),
        };
        if (!options.UsesLora) HfModelFolder.Save(loaded.Model, loaded.Config, output, baseDir, ScalarType.Float32, extra);
        else if (options.Merge) AdapterFolders.SaveMerged(loaded, output, extra);
        else AdapterFolders.SaveAdapterOnlyFolder(loaded, output, extra);
    }
}
