namespace LocalFineTune.Jobs;

/// <summary>A transition that the state machine never allows, e.g. succeeded → running. A caller bug.</summary>
public sealed class InvalidJobTransitionException(JobState from, JobState to)
    : InvalidOperationException(
        $"A job cannot go from '{from.ToWireName()}' to '{to.ToWireName()}'. Allowed from '{from.ToWireName()}': " +
        $"{Describe(JobStateMachine.AllowedTargets(from))}. See JobStateMachine for the table.")
{
    public JobState From { get; } = from;
    public JobState To { get; } = to;

    private static string Describe(IReadOnlyList<JobState> targets) =>
        targets.Count == 0 ? "nothing (it is final)" : string.Join(", ", targets.Select(t => t.ToWireName()));
}

/// <summary>
/// The job was not in the expected state (or not held by the expected owner) when the transition ran:
/// someone else changed it first. Re-read the job and decide again; never overwrite.
/// </summary>
public sealed class JobStateConflictException(string jobId, JobState expected, JobState? actual)
    : InvalidOperationException(
        $"Job '{jobId}' was expected in state '{expected.ToWireName()}' but is " +
        $"{(actual is { } a ? $"'{a.ToWireName()}'" : "missing")}; another request changed it first. Re-read the job and retry.")
{
    public string JobId { get; } = jobId;
    public JobState Expected { get; } = expected;
    public JobState? Actual { get; } = actual;
}

public sealed class JobNotFoundException(string jobId)
    : KeyNotFoundException($"No job with id '{jobId}'. List jobs to see the ids that exist.")
{
    public string JobId { get; } = jobId;
}

/// <summary>
/// A permanent failure (bad data, unknown model, invalid hyperparameters): the job fails at once and is
/// never retried, because trying again would fail the same way. Code/param follow OpenAI's error object,
/// e.g. code "invalid_n_examples", param "training_file".
/// </summary>
public class JobValidationException(string code, string message, string? param = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string Code { get; } = code;
    public string? Param { get; } = param;

    public JobError ToJobError() => new(Code, Message, Param);
}
