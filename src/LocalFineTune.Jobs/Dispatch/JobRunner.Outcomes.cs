using Microsoft.Extensions.Logging;

namespace LocalFineTune.Jobs;

public sealed partial class JobRunner
{
    private void FinishExecution(JobExecution ctx, Exception? error)
    {
        var outcome = ctx.StopReason switch
        {
            JobStopReason.CancelRequested => Running(ctx, JobState.Cancelled, "cancelled by user") with
            {
                Event = NewJobEvent.Info("Job cancelled."),
            },
            JobStopReason.Shutdown => Running(ctx, JobState.Queued, "worker shutting down") with
            {
                // A shutdown is not the job's fault: give the attempt back.
                AttemptDelta = -1,
                Event = NewJobEvent.Info("Interrupted by shutdown; the job resumes from its last checkpoint when a worker starts again."),
            },
            JobStopReason.LeaseLost => null,
            _ => OutcomeOf(ctx, error),
        };
        if (outcome is null)
        {
            _log.LogWarning("Job {JobId}: this worker lost its lease; leaving the job to its new owner.", ctx.JobId);
            return;
        }
        if (!_store.TryTransition(outcome with { Progress = ctx.TakePendingProgress() }))
        {
            _log.LogWarning("Job {JobId}: could not record {State}; the job changed meanwhile.", ctx.JobId, outcome.To.ToWireName());
        }
    }

    /// <summary>Our retry policy (Hangfire's retries are off): a transient failure requeues with a growing delay
    /// until MaxAttempts; a <see cref="JobValidationException"/> fails at once.</summary>
    private JobTransition OutcomeOf(JobExecution ctx, Exception? error)
    {
        switch (error)
        {
            case null:
                return Running(ctx, JobState.Succeeded, "executor completed") with
                {
                    ResultJson = ctx.ResultJson,
                    Event = NewJobEvent.Info("The job has successfully completed."),
                };
            case JobValidationException invalid:
                return Running(ctx, JobState.Failed, $"permanent failure: {invalid.Code}") with
                {
                    Error = invalid.ToJobError(),
                    Event = NewJobEvent.Error(invalid.Message),
                };
        }
        _log.LogWarning(error, "Job {JobId} attempt {Attempt} failed.", ctx.JobId, ctx.Attempt);
        var cause = $"{error.GetType().Name}: {error.Message}";
        if (ctx.Attempt < ctx.Job.MaxAttempts)
        {
            var delay = _options.RetryDelay * ctx.Attempt;
            return Running(ctx, JobState.Queued, $"transient failure, retry {ctx.Attempt + 1}/{ctx.Job.MaxAttempts}") with
            {
                Delay = delay,
                Event = NewJobEvent.Warn($"Attempt {ctx.Attempt} of {ctx.Job.MaxAttempts} failed ({cause}); retrying in {delay.TotalSeconds:0}s from the last checkpoint."),
            };
        }
        var message = $"The job failed {ctx.Job.MaxAttempts} times; last error: {cause}. See the job's events and the service log.";
        return Running(ctx, JobState.Failed, "transient failures exhausted the attempts") with
        {
            Error = new JobError("retries_exhausted", message),
            Event = NewJobEvent.Error(message),
        };
    }

    private JobTransition Running(JobExecution ctx, JobState to, string reason) =>
        new(ctx.JobId, JobState.Running, to, reason) { ExpectedOwner = _options.OwnerId };

    private void FinishValidation(JobExecution ctx, Exception? error)
    {
        if (ctx.StopReason != JobStopReason.None)
        {
            // Cancelled: the store already moved it to cancelled. Shutdown/lease lost: the next start offers it again.
            return;
        }
        var transition = error switch
        {
            null => Validating(ctx, JobState.Queued, "files validated") with { Event = NewJobEvent.Info("Files validated; job queued.") },
            JobValidationException invalid => Validating(ctx, JobState.Failed, $"validation failed: {invalid.Code}") with
            {
                Error = invalid.ToJobError(),
                Event = NewJobEvent.Error(invalid.Message),
            },
            _ => Validating(ctx, JobState.Failed, "validation crashed") with
            {
                Error = new JobError("file_validation_failed", $"Validating the job's files failed: {error.GetType().Name}: {error.Message}. Fix the file or its URL and create the job again."),
                Event = NewJobEvent.Error($"Validating the job's files failed: {error.Message}"),
            },
        };
        if (!_store.TryTransition(transition))
        {
            _log.LogWarning("Job {JobId}: validation finished but the job changed meanwhile.", ctx.JobId);
        }
    }

    private JobTransition Validating(JobExecution ctx, JobState to, string reason) =>
        new(ctx.JobId, JobState.ValidatingFiles, to, reason) { ExpectedOwner = _options.OwnerId };
}
