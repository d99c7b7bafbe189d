namespace LocalFineTune.Jobs;

/// <summary>One job as stored. Immutable snapshot: re-read the store to see later changes.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    /// <summary>Which API created it: "api" (/api/finetune) or "v1" (OpenAI-compatible). Both APIs show every job.</summary>
    public required string Source { get; init; }
    /// <summary>The device queue, e.g. "cpu" or "cuda:0". Claiming is per device.</summary>
    public required string Device { get; init; }
    public required JobState State { get; init; }
    /// <summary>Unix seconds.</summary>
    public required long CreatedAt { get; init; }
    /// <summary>Unix seconds of the first start; kept across requeues so "running since" stays honest.</summary>
    public long? StartedAt { get; init; }
    /// <summary>Unix seconds; set when the job reaches a final state.</summary>
    public long? FinishedAt { get; init; }
    /// <summary>Not claimable before this time (unix seconds): the back-off after a transient failure.</summary>
    public long AvailableAt { get; init; }
    /// <summary>How many times a worker has started it (claims). 0 while never started.</summary>
    public int Attempt { get; init; }
    public int MaxAttempts { get; init; }
    /// <summary>The request (model, dataset, hyperparameters) as JSON. Opaque to this layer.</summary>
    public required string SpecJson { get; init; }
    /// <summary>What the executor produced (model path, fine_tuned_model, metrics) as JSON; set on success.</summary>
    public string? ResultJson { get; init; }
    public JobError? Error { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public JobProgress? Progress { get; init; }
    public bool CancelRequested { get; init; }
    /// <summary>A note from the executor on where a rerun should resume (e.g. the last complete checkpoint).</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>The lease: which worker process holds the job while running, and when it last said it was alive.</summary>
    public string? OwnerId { get; init; }
    public long? HeartbeatAt { get; init; }
    public long UpdatedAt { get; init; }
}

/// <summary>OpenAI's error object: code (e.g. "invalid_n_examples"), message, param (e.g. "training_file").</summary>
public sealed record JobError(string Code, string Message, string? Param = null);

/// <summary>
/// Live training progress. Stored as one JSON column so a write is a single cheap UPDATE and the trainer can
/// add figures (Metrics) without a schema change.
/// </summary>
public sealed record JobProgress
{
    /// <summary>0..1 of the whole job.</summary>
    public double Fraction { get; init; }
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    public double? Epoch { get; init; }
    public double? Loss { get; init; }
    public double? TokensPerSecond { get; init; }
    public double? EtaSeconds { get; init; }
    public long? TrainedTokens { get; init; }
    /// <summary>Anything else worth showing, e.g. eval_loss_before / eval_loss_after.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}

/// <summary>What a caller gives to create a job.</summary>
public sealed record NewJob
{
    /// <summary>The request as a JSON object; checked to be valid JSON, otherwise opaque.</summary>
    public required string SpecJson { get; init; }
    public string Device { get; init; } = "cpu";
    public string Source { get; init; } = "api";
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public int MaxAttempts { get; init; } = 3;
    /// <summary>validating_files (the worker validates, then queues) or queued (already validated).</summary>
    public JobState InitialState { get; init; } = JobState.ValidatingFiles;
    /// <summary>Leave null to get a fresh "ftjob-…" id.</summary>
    public string? Id { get; init; }
}
