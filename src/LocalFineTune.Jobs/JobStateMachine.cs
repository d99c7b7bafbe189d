namespace LocalFineTune.Jobs;

/// <summary>
/// The allowed transitions. Everything not listed here is a bug in the caller, so the store refuses it
/// with <see cref="InvalidJobTransitionException"/> instead of writing it.
/// </summary>
public static class JobStateMachine
{
    private static readonly Dictionary<JobState, JobState[]> Allowed = new()
    {
        [JobState.ValidatingFiles] = [JobState.Queued, JobState.Failed, JobState.Cancelled],
        [JobState.Queued] = [JobState.Running, JobState.Failed, JobState.Cancelled],
        // running → queued: requeue after a crash, a shutdown or a transient failure (resume from checkpoint).
        [JobState.Running] = [JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.Queued],
        [JobState.Succeeded] = [],
        [JobState.Failed] = [],
        [JobState.Cancelled] = [],
    };

    public static IReadOnlyList<JobState> AllowedTargets(JobState from) => Allowed[from];

    public static bool CanTransition(JobState from, JobState to) => Allowed[from].Contains(to);

    public static void EnsureAllowed(JobState from, JobState to)
    {
        if (!CanTransition(from, to))
        {
            throw new InvalidJobTransitionException(from, to);
        }
    }

    /// <summary>The states a job may be created in: validation first, or straight to the queue.</summary>
    public static bool IsInitial(JobState state) => state is JobState.ValidatingFiles or JobState.Queued;
}
