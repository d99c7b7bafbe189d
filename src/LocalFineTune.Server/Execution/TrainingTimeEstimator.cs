using System.Globalization;
using System.Text.Json;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Jobs;
using LocalFineTune.Models;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>How long a job would take, as POST /api/finetune/validate reports it (snake_case on the wire).</summary>
public sealed record TrainingEstimate(
    string Device, double Seconds, int TotalSteps, long TrainingTokens, double TokensPerSecond, string Basis, string BasisNote,
    int Epochs, int BatchSize);

/// <summary>The work a job would do, from its options and its validated dataset.</summary>
public sealed record TrainingWork(int Epochs, int BatchSize, int TotalSteps, long TrainingTokens, long EvalTokens, int EvalPasses)
{
    /// <summary>The batch size assumed for "auto": the trainer only finds the real one by probing the model on the device.</summary>
    public const int AssumedAutoBatchSize = 4;

    /// <summary>Epochs and steps as the trainer resolves them (<see cref="AutoEpochs"/>, ceil(examples / batch) micro-batches
    /// grouped by gradient_accumulation_steps); evaluation runs before step 1, every eval_steps, and after the last step.</summary>
    public static TrainingWork For(TrainingOptions options, int trainingExamples, int validationExamples, long tokensPerEpoch,
        double meanTokensPerExample, int? maxSeqLength)
    {
        var epochs = AutoEpochs.Resolve(options.Epochs, trainingExamples);
        var batch = options.BatchSize.Value ?? AssumedAutoBatchSize;
        var accumulation = Math.Max(1, options.GradientAccumulationSteps);
        var microBatches = (trainingExamples + batch - 1) / batch;
        var totalSteps = (microBatches + accumulation - 1) / accumulation * epochs;
        var evalPasses = 2 + (options.EvalSteps > 0 && totalSteps > 0 ? (totalSteps - 1) / options.EvalSteps : 0);
        var perEvalExample = maxSeqLength is int max ? Math.Min(meanTokensPerExample, max) : meanTokensPerExample;
        return new TrainingWork(epochs, batch, totalSteps, tokensPerEpoch * epochs, (long)Math.Round(validationExamples * perEvalExample), evalPasses);
    }
}

/// <summary>
/// Estimates a job's duration. With earlier succeeded jobs of the same base, method and device in the store, from the
/// median of their tokens per second (trained_tokens / train_seconds in their results, evaluation included, so their
/// real overheads are in it). Otherwise from a rough FLOP count over the device's measured matmul throughput.
/// </summary>
public sealed class TrainingTimeEstimator(IJobStore store, DeviceThroughput throughput)
{
    /// <summary>Share of peak matmul throughput a training step reaches: small models are dominated by element-wise ops,
    /// optimizer steps and launch overheads. A rough middle for the sizes trained here, not a measurement.</summary>
    public const double Efficiency = 0.25;

    /// <summary>Newest succeeded jobs of the device that are looked at (one page of the store).</summary>
    public const int HistoryJobs = 100;

    public TrainingEstimate Estimate(TrainingJobSpec spec, ValidationReport report)
    {
        var options = spec.TrainingOptions;
        var device = options.Device ?? "cpu";
        var work = TrainingWork.For(options, report.ExampleCount, report.ValidationExampleCount, report.TokensPerEpoch ?? 0,
            report.TokensPerExample?.Mean ?? 0, report.MaxSeqLength);
        var history = HistoryTokensPerSecond(spec.BaseModelName, options.Method, device);
        return history.Count > 0 ? FromHistory(work, device, history, spec.BaseModelName, options.Method) : Measured(work, device, spec, options);
    }

    /// <summary>Median, so one job slowed by a busy machine (or sped up by a warm cache) does not move the estimate.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("the median of no values is undefined", nameof(values));
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// ≈6 FLOPs per parameter per trained token for full fine-tuning (forward 2, backward 4), ≈4 for LoRA (no weight
    /// gradients for the frozen base), 2 more for DPO's reference forward; plus 2 per parameter per token of each
    /// evaluation pass (forward only).
    /// </summary>
    public static double TrainingFlops(long parameters, TrainingWork work, bool usesLora, bool dpo)
    {
        var perToken = (usesLora ? 4.0 : 6.0) + (dpo ? 2.0 : 0.0);
        return perToken * parameters * work.TrainingTokens + 2.0 * parameters * work.EvalTokens * work.EvalPasses;
    }

    private TrainingEstimate FromHistory(TrainingWork work, string device, IReadOnlyList<double> history, string baseModel, TrainingMethod method)
    {
        var tokensPerSecond = Median(history);
        var note = string.Create(CultureInfo.InvariantCulture,
            $"From {history.Count} earlier succeeded {Name(method)} job(s) of {baseModel} on {device}: median {tokensPerSecond:0} tokens/s, evaluation included.");
        return Result(work, device, work.TrainingTokens / tokensPerSecond, "history", note);
    }

    private TrainingEstimate Measured(TrainingWork work, string device, TrainingJobSpec spec, TrainingOptions options)
    {
        var parameters = ModelConfig.Load(Path.Combine(spec.ModelPath, "config.json")).ParameterCount;
        var flops = TrainingFlops(parameters, work, options.UsesLora, options.Method == TrainingMethod.Dpo);
        var peak = throughput.FlopsPerSecond(device);
        var note = string.Create(CultureInfo.InvariantCulture,
            $"Rough: no earlier succeeded {Name(options.Method)} job of {spec.BaseModelName} on {device} to learn from, so ≈{flops / 1e12:0.###} TFLOP ({parameters / 1e6:0.#}M parameters) over {peak / 1e9:0.#} GFLOP/s measured on {device} × {Efficiency} efficiency.")
            + " Expect it to be off by a factor of two or more; after the first job on this base and device, estimates use its speed.";
        return Result(work, device, flops / (peak * Efficiency), "measured", note);
    }

    private static TrainingEstimate Result(TrainingWork work, string device, double seconds, string basis, string note) =>
        new(device, Math.Round(seconds, 1), work.TotalSteps, work.TrainingTokens, seconds > 0 ? Math.Round(work.TrainingTokens / seconds, 1) : 0,
            basis, note, work.Epochs, work.BatchSize);

    private List<double> HistoryTokensPerSecond(string baseModel, TrainingMethod method, string device)
    {
        var jobs = store.List(new JobListQuery { State = JobState.Succeeded, Device = device, Limit = HistoryJobs }).Items;
        var rates = new List<double>();
        foreach (var job in jobs)
        {
            if (SameKind(job, baseModel, method) && TokensPerSecond(job.ResultJson) is double rate) rates.Add(rate);
        }
        return rates;
    }

    private static bool SameKind(JobRecord job, string baseModel, TrainingMethod method)
    {
        try
        {
            var spec = TrainingJobSpec.FromJson(job.SpecJson);
            return string.Equals(spec.BaseModelName, baseModel, StringComparison.OrdinalIgnoreCase) && spec.TrainingOptions.Method == method;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return false; // a job of another kind (a comparison's, an older spec): not comparable
        }
    }

    private static double? TokensPerSecond(string? resultJson)
    {
        if (resultJson is null) return null;
        try
        {
            using var result = JsonDocument.Parse(resultJson);
            var root = result.RootElement;
            return root.TryGetProperty("trained_tokens", out var tokens) && tokens.TryGetDouble(out var trained)
                && root.TryGetProperty("train_seconds", out var seconds) && seconds.TryGetDouble(out var elapsed)
                && trained > 0 && elapsed > 0 ? trained / elapsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Name(TrainingMethod method) => method.ToString().ToLowerInvariant();
}
