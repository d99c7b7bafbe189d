using System.Text.Json;
using LocalFineTune.Models;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Loading;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Training.Comparison;

/// <summary>
/// One base model's line in a comparison: what its fine-tune reached on the shared held-out set and what it cost.
/// Everything but <see cref="Model"/> and <see cref="Status"/> is read from the published folder (metrics.json,
/// training_args.json, config.json), so the CLI and the service build the same line from the same files.
/// </summary>
public sealed record ComparedModel
{
    public required string Model { get; init; }
    /// <summary>The job's state: queued, running, succeeded, failed, cancelled (the CLI: succeeded or failed).</summary>
    public required string Status { get; init; }
    public string? JobId { get; init; }
    public string? Error { get; init; }
    public string? FineTunedModel { get; init; }
    public string? Folder { get; init; }
    public string? Method { get; init; }
    public double? EvalLossBefore { get; init; }
    public double? EvalLossAfter { get; init; }
    public double? PerplexityBefore { get; init; }
    public double? PerplexityAfter { get; init; }
    /// <summary>After minus before: negative is better.</summary>
    public double? EvalLossChange => EvalLossAfter - EvalLossBefore;
    public double? TrainSeconds { get; init; }
    public double? TokensPerSecond => TrainSeconds is > 0 && TrainedTokens is { } tokens ? tokens / TrainSeconds : null;
    public long? TrainedTokens { get; init; }
    public long? Parameters { get; init; }
    public long? FolderBytes { get; init; }
    public IReadOnlyList<StepLog> LossHistory { get; init; } = [];
    public IReadOnlyList<EvalLog> EvalHistory { get; init; } = [];

    /// <summary>A succeeded fine-tune's line, read from its folder.</summary>
    public static ComparedModel FromFolder(string model, string folder, string? jobId = null)
    {
        var metrics = JsonSerializer.Deserialize<RunMetrics>(File.ReadAllText(Path.Combine(folder, "metrics.json")), TrainingOptions.JsonOptions)
            ?? throw new InvalidDataException($"{folder}/metrics.json is empty");
        return new ComparedModel
        {
            Model = model, Status = "succeeded", JobId = jobId, FineTunedModel = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)),
            Folder = folder, Method = MethodOf(folder),
            EvalLossBefore = metrics.EvalLossBefore, EvalLossAfter = metrics.EvalLossAfter,
            PerplexityBefore = metrics.EvalPerplexityBefore, PerplexityAfter = metrics.EvalPerplexityAfter,
            TrainSeconds = metrics.TrainRuntimeSeconds, TrainedTokens = metrics.TokensSeen,
            Parameters = ParametersOf(folder), FolderBytes = SizeOf(folder),
            LossHistory = metrics.LossHistory, EvalHistory = metrics.EvalHistory,
        };
    }

    private static string? MethodOf(string folder)
    {
        var args = Path.Combine(folder, "training_args.json");
        if (!File.Exists(args)) return null;
        var options = TrainingOptions.FromJson(File.ReadAllText(args));
        return options.UsesLora && options.Method != TrainingMethod.Dpo ? "lora" : options.Method.ToString().ToLowerInvariant();
    }

    /// <summary>The architecture's parameter count (the base's, for a folder that keeps only an adapter).</summary>
    private static long? ParametersOf(string folder)
    {
        var weights = AdapterFolders.IsAdapterOnly(folder) ? AdapterFolders.BaseDirectoryOf(AdapterFolders.AdapterDirOf(folder)!) : folder;
        var config = Path.Combine(weights, "config.json");
        return File.Exists(config) ? DecoderParameters.Count(ModelConfig.Load(config).Spec) : null;
    }

    private static long SizeOf(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
