namespace LocalFineTune.Jobs;

/// <summary>
/// The lifecycle of a fine-tuning job. The names are OpenAI's fine-tuning statuses so that
/// /api/finetune and /v1/fine_tuning/jobs report the same word for the same state.
/// </summary>
public enum JobState
{
    ValidatingFiles,
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class JobStates
{
    public static readonly IReadOnlyList<JobState> All = Enum.GetValues<JobState>();

    /// <summary>The wire name, e.g. "validating_files". Also what the store writes to its state column.</summary>
    public static string ToWireName(this JobState state) => state switch
    {
        JobState.ValidatingFiles => "validating_files",
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    /// <summary>A final state never changes again: no transition leaves it.</summary>
    public static bool IsFinal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public static bool TryParseWireName(string? name, out JobState state)
    {
        // "completed" is the seed API's old word for succeeded; accept it on input so old clients keep working.
        if (string.Equals(name, "completed", StringComparison.OrdinalIgnoreCase))
        {
            state = JobState.Succeeded;
            return true;
        }
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }
        state = default;
        return false;
    }

    public static JobState ParseWireName(string name) =>
        TryParseWireName(name, out var state)
            ? state
            : throw new FormatException(
                $"Unknown job status '{name}'. Use one of: {string.Join(", ", All.Select(s => s.ToWireName()))}.");
}
