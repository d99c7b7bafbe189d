using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Training.Loop;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// Bridges the trainer's callbacks (on the training thread, between steps) to the job: progress snapshots
/// (throttled by <see cref="JobExecution"/>), about a hundred metric events per run, eval and checkpoint events; the
/// same reports go to the server log through <paramref name="lifecycle"/> when given.
/// </summary>
public sealed class JobProgressReporter(JobExecution job, JobLifecycleLog? lifecycle = null) : ITrainingProgress
{
    private readonly Dictionary<string, double> _metrics = [];
    private readonly ProgressThrottle _logThrottle = new();

    public double? EvalLossBefore { get; private set; }
    public double? EvalLossAfter { get; private set; }

    public void OnStep(TrainingProgress p)
    {
        job.ReportProgress(new JobProgress
        {
            Fraction = p.Fraction,
            Step = p.Step,
            TotalSteps = p.TotalSteps,
            Epoch = p.Epoch,
            Loss = p.Loss,
            TokensPerSecond = p.TokensPerSecond,
            EtaSeconds = p.EstimatedRemaining.TotalSeconds,
            Metrics = new Dictionary<string, double>(_metrics),
        });
        lifecycle?.Progress(job.JobId, p, _logThrottle);
        var every = Math.Max(1, p.TotalSteps / 100);
        if (p.Step % every == 0 || p.Step == p.TotalSteps)
        {
            var data = new Dictionary<string, object>
            {
                ["step"] = p.Step, ["total_steps"] = p.TotalSteps, ["epoch"] = p.Epoch, ["train_loss"] = p.Loss,
                ["learning_rate"] = p.LearningRate, ["grad_norm"] = p.GradNorm, ["tokens_per_second"] = p.TokensPerSecond,
            };
            // DPO's rewards/* and logps/* (TRL's names) ride along in the same event.
            foreach (var (name, value) in p.Metrics ?? new Dictionary<string, double>()) data[name] = value;
            job.LogMetrics($"Step {p.Step}/{p.TotalSteps}: training loss={p.Loss:0.0000}{Highlights(p.Metrics)}", JsonSerializer.Serialize(data));
        }
    }

    public void OnEvaluation(EvaluationResult evaluation)
    {
        if (evaluation.Step == 0 && EvalLossBefore is null)
        {
            EvalLossBefore = evaluation.Loss;
            _metrics["eval_loss_before"] = evaluation.Loss;
        }
        else
        {
            EvalLossAfter = evaluation.Loss;
            _metrics["eval_loss_after"] = evaluation.Loss;
        }
        lifecycle?.Evaluation(job.JobId, evaluation);
        var data = new Dictionary<string, object>
        {
            ["step"] = evaluation.Step, ["eval_loss"] = evaluation.Loss, ["eval_perplexity"] = evaluation.Perplexity, ["dataset"] = evaluation.Dataset,
        };
        foreach (var (name, value) in evaluation.Metrics ?? new Dictionary<string, double>()) data["eval_" + name] = value;
        job.LogMetrics($"Eval at step {evaluation.Step}: loss={evaluation.Loss:0.0000}{Highlights(evaluation.Metrics)} on {evaluation.Dataset}", JsonSerializer.Serialize(data));
    }

    public void OnCheckpoint(int step, string path)
    {
        // Recorded only after the trainer renamed the folder into place with its marker: resume may trust it.
        job.AddCheckpoint(step, path, JsonSerializer.Serialize(_metrics));
        job.SetResumeFrom(path);
        job.Log($"Checkpoint saved at step {step}.");
        lifecycle?.Checkpoint(job.JobId, step, path);
    }

    public void OnMessage(string message) => job.Log(message);

    /// <summary>", reward margin 0.41, reward accuracy 0.88" for DPO; empty for supervised runs.</summary>
    private static string Highlights(IReadOnlyDictionary<string, double>? metrics) =>
        metrics is not null && metrics.TryGetValue("rewards/margins", out var margin) && metrics.TryGetValue("rewards/accuracies", out var accuracy)
            ? $", reward margin {margin:0.000}, reward accuracy {accuracy:0.00}"
            : "";
}
