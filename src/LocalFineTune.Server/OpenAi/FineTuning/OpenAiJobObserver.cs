using System.Text.Json;
using LocalFineTune.Jobs;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// Watches the shared store for /v1 jobs: keeps each new checkpoint (usable as a model) and, when a job succeeds,
/// writes the ft: name into its published folder. Store events fire on the committing thread, so the checkpoint copy
/// happens on the training thread right after the trainer recorded it, before the next step can prune it.
/// </summary>
public sealed class OpenAiJobObserver(IJobStore store, CheckpointKeeper keeper, FineTunedNames names, ILogger<OpenAiJobObserver> log)
    : IHostedService
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

    private void OnChanged(object? sender, JobChangedEventArgs e)
    {
        if (e.Kind is not (JobChangeKind.EventAppended or JobChangeKind.StateChanged)) return;
        try
        {
            var job = store.Get(e.JobId);
            if (job is null || job.Source != OpenAiJobSpec.Source) return;
            if (e.Kind == JobChangeKind.EventAppended && job.State == JobState.Running) KeepNewestCheckpoint(job);
            if (e.Kind == JobChangeKind.StateChanged && e.State == JobState.Succeeded) names.Record(job);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException)
        {
            // Never let bookkeeping break training: a missed copy only means one checkpoint fewer to choose from.
            log.LogWarning(error, "Could not keep a checkpoint or record the model name of job {JobId}.", e.JobId);
        }
    }

    private void KeepNewestCheckpoint(JobRecord job)
    {
        var newest = store.ListCheckpoints(job.Id, limit: 1).Items.FirstOrDefault();
        if (newest is null || keeper.MetricsOf(job.Id, newest.StepNumber) is not null) return;
        keeper.Keep(job, newest, job.Progress?.Loss);
    }
}
