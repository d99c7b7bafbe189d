using Microsoft.Extensions.Logging;

namespace LocalFineTune.Jobs;

public sealed partial class JobWorker
{
    private sealed class JobRun(JobExecution context, bool isValidation)
    {
        public JobExecution Context { get; } = context;
        public bool IsValidation { get; } = isValidation;
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void StartRun(JobRecord job, bool validation)
    {
        var run = new JobRun(new JobExecution(_store, job, Options.ProgressWriteInterval), validation);
        _runs[job.Id] = run;
        if (job.CancelRequested)
        {
            run.Context.Stop(JobStopReason.CancelRequested);
        }
        // A dedicated thread, not the pool: libtorch grad mode and our tensor disposal scopes are per thread, and a
        // training that runs for hours must not starve the pool that serves HTTP.
        var thread = new Thread(() => RunThread(run))
        {
            IsBackground = true,
            Name = $"lft-job {job.Id}",
        };
        thread.Start();
    }

    private void RunThread(JobRun run)
    {
        try
        {
            var error = Invoke(run);
            if (run.IsValidation)
            {
                FinishValidation(run.Context, error);
            }
            else
            {
                FinishExecution(run.Context, error);
            }
        }
        catch (Exception e)
        {
            // The store failed while recording the outcome: the job stays running under our lease and the next
            // start recovers it. Nothing better to do on this thread.
            _log.LogError(e, "Could not record the outcome of job {JobId}; it will be recovered on the next start.", run.Context.JobId);
        }
        finally
        {
            // Remove this run only: when validation queues the job, the dispatcher may already have claimed it and
            // registered the training run under the same id before this finally runs.
            _runs.TryRemove(new KeyValuePair<string, JobRun>(run.Context.JobId, run));
            // Signal before completing: StopAsync waits for Completion and DisposeAsync then disposes _wake.
            SignalDispatcher();
            run.Completion.TrySetResult();
        }
    }

    private Exception? Invoke(JobRun run)
    {
        try
        {
            if (run.IsValidation)
            {
                _executor.Validate(run.Context);
            }
            else
            {
                _executor.Execute(run.Context);
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

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
                Event = NewJobEvent.Info("Interrupted by shutdown; the job resumes from its last checkpoint when the service starts again."),
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
            var delay = Options.RetryDelay * ctx.Attempt;
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
        new(ctx.JobId, JobState.Running, to, reason) { ExpectedOwner = Options.OwnerId };

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
        new(ctx.JobId, JobState.ValidatingFiles, to, reason) { ExpectedOwner = Options.OwnerId };
}
