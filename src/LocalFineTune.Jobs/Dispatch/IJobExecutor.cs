namespace LocalFineTune.Jobs;

/// <summary>
/// The work behind a job, implemented by the service with the trainer. Called on a dedicated thread (never the thread
/// pool), so per-thread native state (libtorch grad mode, tensor disposal scopes) is safe; do not <c>await</c> inside.
/// <para>Outcome contract, applied by <see cref="JobRunner"/>:</para>
/// <list type="bullet">
/// <item>return normally → succeeded (with <see cref="JobExecution.SetResult"/>'s JSON);</item>
/// <item>throw <see cref="JobValidationException"/> → failed at once, never retried (bad data, unknown model);</item>
/// <item>throw anything else → transient: requeued with attempt + 1 until MaxAttempts, then failed;</item>
/// <item>if <see cref="JobExecution.CancellationToken"/> has fired when you return or throw, the job ends cancelled
///   (user cancel) or goes back to the queue to resume later (shutdown), whatever you returned. So stop by
///   <c>token.ThrowIfCancellationRequested()</c> between optimizer steps, and never leave a half-written model folder.</item>
/// </list>
/// </summary>
public interface IJobExecutor
{
    /// <summary>
    /// Runs while the job is validating_files (download, parse, count examples). Return to queue the job; throw
    /// <see cref="JobValidationException"/> to fail it with OpenAI-style code/param. Any other exception also fails it
    /// (code "file_validation_failed"). The default accepts everything.
    /// </summary>
    void Validate(JobExecution context)
    {
    }

    /// <summary>Trains. On a rerun (<see cref="JobExecution.IsResume"/>), continue from <see cref="JobExecution.LatestCheckpoint"/>.</summary>
    void Execute(JobExecution context);
}
