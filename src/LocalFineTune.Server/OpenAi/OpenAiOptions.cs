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

    /// <summary>Prompts one /v1/completions request may carry (an array prompt); each is a full generation.</summary>
    public int MaxPromptsPerRequest { get; set; } = 16;

    /// <summary>Upper bound on n, the choices generated per prompt.</summary>
    public int MaxChoices { get; set; } = 8;

    /// <summary>Messages one /v1/chat/completions request may carry.</summary>
    public int MaxMessages { get; set; } = 256;

    /// <summary>Stop sequences per request (OpenAI's own limit is 4), and the longest one in characters.</summary>
    public int MaxStopSequences { get; set; } = 4;

    public int MaxStopSequenceLength { get; set; } = 256;

    /// <summary>Characters of prompt text per request (all prompts, or the rendered chat), checked before tokenizing.</summary>
    public int MaxPromptCharacters { get; set; } = 100_000;

    /// <summary>Prompt tokens per request, all prompts together, counted with the model's tokenizer before generating.</summary>
    public int MaxPromptTokens { get; set; } = 16_384;

    /// <summary>The "organization" part of fine-tuned model names (ft:{base}:{org}:{suffix}:{id}) and of organization_id.</summary>
    public string Organization { get; set; } = "local";
}
