namespace LocalFineTune.Jobs;

public enum JobEventLevel { Info, Warn, Error }

public enum JobEventType { Message, Metrics }

/// <summary>One line of a job's append-only log (OpenAI's fine_tuning.job.event). Ids grow with time.</summary>
public sealed record JobEvent(
    long Id, string JobId, long CreatedAt, JobEventLevel Level, JobEventType Type, string Message, string? DataJson);

public sealed record NewJobEvent(
    JobEventLevel Level, JobEventType Type, string Message, string? DataJson = null)
{
    public static NewJobEvent Info(string message, string? dataJson = null) =>
        new(JobEventLevel.Info, JobEventType.Message, message, dataJson);

    public static NewJobEvent Warn(string message, string? dataJson = null) =>
        new(JobEventLevel.Warn, JobEventType.Message, message, dataJson);

    public static NewJobEvent Error(string message, string? dataJson = null) =>
        new(JobEventLevel.Error, JobEventType.Message, message, dataJson);

    public static NewJobEvent Metrics(string message, string dataJson) =>
        new(JobEventLevel.Info, JobEventType.Metrics, message, dataJson);
}

public static class JobEventNames
{
    public static string ToWireName(this JobEventLevel level) => level switch
    {
        JobEventLevel.Info => "info",
        JobEventLevel.Warn => "warn",
        JobEventLevel.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    public static string ToWireName(this JobEventType type) => type switch
    {
        JobEventType.Message => "message",
        JobEventType.Metrics => "metrics",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static JobEventLevel ParseLevel(string s) => s switch
    {
        "info" => JobEventLevel.Info,
        "warn" => JobEventLevel.Warn,
        "error" => JobEventLevel.Error,
        _ => throw new FormatException($"Unknown event level '{s}'; expected info, warn or error."),
    };

    public static JobEventType ParseType(string s) => s switch
    {
        "message" => JobEventType.Message,
        "metrics" => JobEventType.Metrics,
        _ => throw new FormatException($"Unknown event type '{s}'; expected message or metrics."),
    };
}

/// <summary>A saved checkpoint (OpenAI's fine_tuning.job.checkpoint). The executor resumes from the newest.</summary>
public sealed record JobCheckpoint(long Id, string JobId, long CreatedAt, long StepNumber, string Path, string? MetricsJson);

/// <summary>One page, newest first; pass the last item's id as <c>after</c> to get the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);

public sealed record JobListQuery
{
    public JobState? State { get; init; }
    /// <summary>All pairs must match (OpenAI's metadata[k]=v filter).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public string? Device { get; init; }
    public string? Source { get; init; }
    /// <summary>A job id from the previous page: returns the jobs created before it.</summary>
    public string? After { get; init; }
    public int Limit { get; init; } = 20;
}

public enum JobChangeKind { Created, StateChanged, CancelRequested, EventAppended, ProgressUpdated }

/// <summary>Raised after a change commits, so waiting code (worker, SSE streams) wakes instead of polling.</summary>
public sealed class JobChangedEventArgs(string jobId, JobChangeKind kind, JobState? state) : EventArgs
{
    public string JobId { get; } = jobId;
    public JobChangeKind Kind { get; } = kind;
    /// <summary>The new state, for Created and StateChanged.</summary>
    public JobState? State { get; } = state;
}
