namespace LocalFineTune.Server.OpenAi;

/// <summary>Settings of the OpenAI-compatible /v1 API, section "LocalFineTune:OpenAi" (e.g. LocalFineTune__OpenAi__MaxUploadBytes).</summary>
public sealed record OpenAiOptions
{
    public const string Section = "LocalFineTune:OpenAi";

    /// <summary>Largest file POST /v1/files accepts, in bytes (default 512 MiB); a larger upload gets 413 mid-stream.</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest JSON body a /v1 endpoint reads, in bytes (default 4 MiB), counted on the bytes read (chunked too); 413 beyond.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Generations running at once. One by default: a second would only halve the speed of the first on a CPU.</summary>
    public int MaxConcurrentGenerations { get; set; } = 1;

    /// <summary>Requests that may wait for a generation slot; beyond this the answer is 429 at once.</summary>
    public int MaxQueuedGenerations { get; set; } = 8;

    /// <summary>How long a queued request waits for a slot before it gets 429.</summary>
    public double QueueTimeoutSeconds { get; set; } = 60;

    /// <summary>Upper bound on max_tokens / max_completion_tokens.</summary>
    public int MaxTokensLimit { get; set; } = 2048;

    /// <summary>The "organization" part of fine-tuned model names (ft:{base}:{org}:{suffix}:{id}) and of organization_id.</summary>
    public string Organization { get; set; } = "local";
}
