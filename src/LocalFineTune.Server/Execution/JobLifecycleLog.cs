using System.Diagnostics;
using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Training.Loop;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// Each job's lifecycle on the server console, through ILogger with structured fields (JobId first): accepted by an
/// endpoint, every state change the store commits (queued, running, succeeded, failed with its reason, cancelled),
/// the resolved config when training starts, progress about every 10% (or 30 s), each eval and checkpoint.
/// State changes come from the store's events, so whatever dispatches jobs, nothing is missed; the rest is reported
/// by the endpoints and <see cref="JobProgressReporter"/>. `Logging:Console:FormatterName=json` makes it JSON lines.
/// </summary>
public sealed partial class JobLifecycleLog(ILogger<JobLifecycleLog> log, IJobStore store) : IHostedService
{

    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    public void Accepted(JobRecord job, string model, string dataset) => LogAccepted(job.Id, job.Source, model, dataset, job.Device);

    public void Started(string jobId, int attempt, string model, string dataset, string? resumeFrom, string optionsJson) =>
        LogStarted(jobId, attempt, model, dataset, resumeFrom, optionsJson);

    /// <summary>A throttle per job run: the first and last steps, each tenth of the run, and at least every 30 s.</summary>
    public ProgressThrottle NewThrottle() => new();

    public void Progress(string jobId, TrainingProgress p, ProgressThrottle throttle)
    {
        if (!throttle.IsDue(p.Step, p.TotalSteps)) return;
        LogProgress(jobId, p.Step, p.TotalSteps, p.Epoch, p.Epochs, p.Loss, p.LearningRate, p.TokensPerSecond, p.EstimatedRemaining.TotalSeconds);
    }

    public void Evaluation(string jobId, EvaluationResult e) => LogEvaluation(jobId, e.Step, e.Loss, e.Perplexity, e.Dataset);

    public void Checkpoint(string jobId, int step, string path) => LogCheckpoint(jobId, step, path);

    private void OnChanged(object? sender, JobChangedEventArgs e)
    {
        if (e.Kind != JobChangeKind.StateChanged || e.State is not { } state) return;
        try
        {
            var job = store.Get(e.JobId);
            if (state == JobState.Failed)
                LogFailed(e.JobId, job?.Attempt ?? 0, job?.Error?.Code, job?.Error?.Param, job?.Error?.Message ?? "no reason recorded");
            else if (state == JobState.Succeeded)
                LogSucceeded(e.JobId, job?.Attempt ?? 0, ReadResult(job?.ResultJson, "model_path"), ReadResult(job?.ResultJson, "eval_loss_after"));
            else
                LogState(e.JobId, state.ToWireName(), job?.Device, job?.Attempt ?? 0);
        }
        catch (Exception error) when (error is InvalidOperationException or IOException)
        {
            // Logging must never break a state change; the store is the record.
            log.LogDebug(error, "Could not read job {JobId} to log its state change.", e.JobId);
        }
    }

    private static string? ReadResult(string? json, string name)
    {
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(name, out var v) ? v.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Job {JobId} accepted from {Source}: model {Model}, dataset {Dataset}, device {Device}")]
    private partial void LogAccepted(string jobId, string source, string model, string dataset, string device);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Job {JobId} is {State} (device {Device}, attempt {Attempt})")]
    private partial void LogState(string jobId, string state, string? device, int attempt);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Job {JobId} training started, attempt {Attempt}: {Model} on {Dataset}, resume from {ResumeFrom}, config {Config}")]
    private partial void LogStarted(string jobId, int attempt, string model, string dataset, string? resumeFrom, string config);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Job {JobId} step {Step}/{TotalSteps} epoch {Epoch}/{Epochs}: loss {Loss:0.0000}, lr {LearningRate:G3}, {TokensPerSecond:0} tok/s, ETA {EtaSeconds:0} s")]
    private partial void LogProgress(string jobId, int step, int totalSteps, int epoch, int epochs, double loss, double learningRate, double tokensPerSecond, double etaSeconds);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "Job {JobId} eval at step {Step}: loss {EvalLoss:0.0000}, perplexity {Perplexity:0.0} on {EvalDataset}")]
    private partial void LogEvaluation(string jobId, int step, double evalLoss, double perplexity, string evalDataset);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Job {JobId} checkpoint at step {Step}: {CheckpointPath}")]
    private partial void LogCheckpoint(string jobId, int step, string checkpointPath);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Information, Message = "Job {JobId} succeeded after attempt {Attempt}: model {ModelPath}, eval loss {EvalLossAfter}")]
    private partial void LogSucceeded(string jobId, int attempt, string? modelPath, string? evalLossAfter);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Job {JobId} failed on attempt {Attempt}: {ErrorCode} ({ErrorParam}): {Reason}")]
    private partial void LogFailed(string jobId, int attempt, string? errorCode, string? errorParam, string reason);
}

/// <summary>When a progress line is due: first and last step, each tenth of the run, and at least every 30 s.</summary>
public sealed class ProgressThrottle
{
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private int _lastSlice = -1;

    public bool IsDue(int step, int totalSteps)
    {
        var slice = totalSteps <= 0 ? 0 : step * 10 / totalSteps;
        var due = step <= 1 || step == totalSteps || slice != _lastSlice || _sinceLast.Elapsed >= TimeSpan.FromSeconds(30);
        if (!due) return false;
        _lastSlice = slice;
        _sinceLast.Restart();
        return true;
    }
}
