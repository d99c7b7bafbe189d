namespace LocalFineTune.Server.Configuration;

/// <summary>
/// Everything the service reads from configuration section "LocalFineTune" (appsettings.json, environment variables
/// such as <c>LocalFineTune__ModelsRoot</c>, or command-line switches, see <see cref="ServerConfiguration.SwitchMappings"/>).
/// Relative folders are resolved against the current directory at start.
/// </summary>
public sealed record ServerOptions
{
    public const string Section = "LocalFineTune";

    /// <summary>Holds base/&lt;name&gt;/ (bases) and &lt;base&gt;-finetuned-&lt;stamp&gt;/ (outputs).</summary>
    public string ModelsRoot { get; set; } = "models";

    /// <summary>Relative dataset_url values resolve under this folder, and never outside it.</summary>
    public string DataRoot { get; set; } = ".";

    /// <summary>The job database (jobs.db), downloaded datasets and per-job checkpoints live here.</summary>
    public string StateFolder { get; set; } = "state";

    /// <summary>Devices jobs may run on, e.g. ["cpu"] or ["cuda:0", "cpu"]. The first is the default for "device": "auto".</summary>
    public List<string> Devices { get; set; } = ["cpu"];

    /// <summary>Trainings at once per device. One: a second training would only fight the first for memory.</summary>
    public int ConcurrencyPerDevice { get; set; } = 1;

    /// <summary>When set, every route except /health needs "Authorization: Bearer &lt;key&gt;" (or "X-Api-Key").</summary>
    public string? ApiKey { get; set; }

    /// <summary>How often a job is retried after a transient failure (I/O), in all.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Checkpoint interval used when the request gives no save_steps: resume after a crash needs checkpoints.</summary>
    public int DefaultSaveSteps { get; set; } = 10;

    /// <summary>Largest JSON body /api/finetune/start and /api/generate read, in bytes (default 1 MiB), counted on the bytes read; 413 beyond.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Characters of prompt one /api/generate request may send (default 100,000), checked before tokenizing.</summary>
    public int MaxGeneratePromptCharacters { get; set; } = 100_000;

    public DownloadOptions Downloads { get; set; } = new();

    /// <summary>Catalog bases from the Hugging Face hub on first use (section "Models").</summary>
    public ModelDownloadOptions Models { get; set; } = new();

    /// <summary>How jobs' datasets are checked while validating_files (section "LocalFineTune:Validation").</summary>
    public DatasetValidationSettings Validation { get; set; } = new();

    /// <summary>Where jobs and Hangfire's queue live: "sqlite" (default: state/jobs.db, one process per state folder),
    /// "postgres" (one database shared by several processes, <see cref="PostgresConnectionString"/>) or "memory"
    /// (tests: a throw-away store).</summary>
    public string Profile { get; set; } = "sqlite";

    /// <summary>Npgsql connection string for the postgres profile, e.g. "Host=db;Username=lft;Password=…;Database=lft".</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>The PostgreSQL schema of Hangfire's tables (ours follow the connection's search path).</summary>
    public string HangfireSchema { get; set; } = "hangfire";

    /// <summary>"all" (API and worker, default), "api" (HTTP only: enqueues, trains nothing) or "worker" (trains; HTTP
    /// still answers /health). api and worker need the postgres profile.</summary>
    public string Role { get; set; } = "all";

    /// <summary>postgres profile: seconds after which Hangfire hands a dead worker's job to another worker (default 30).
    /// A healthy job keeps its claim however long it runs (sliding invisibility); tests lower this to be quick.</summary>
    public double HangfireInvisibilityTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds between two progress writes / retries; short values make tests fast.</summary>
    public double RetryDelaySeconds { get; set; } = 10;
}

/// <summary>Bounds on the validating_files step, so that one hostile dataset cannot hold the validators.</summary>
public sealed record DatasetValidationSettings
{
    public const string Section = ServerOptions.Section + ":Validation";

    /// <summary>Longest example accepted, in characters of its JSONL line or CSV record (default 100,000); a longer
    /// one fails the job with an error naming its line. 0: no bound.</summary>
    public int MaxExampleCharacters { get; set; } = 100_000;

    /// <summary>Longest the reading and checking of one job's dataset may take, in seconds (default 600; a download has
    /// its own <see cref="DownloadOptions.TimeoutSeconds"/>). Beyond it the job fails with validation_timeout.</summary>
    public double TimeoutSeconds { get; set; } = 600;

    /// <summary>Datasets validated at once by this process (default 2, at least 1): a slow one never holds up the next.
    /// Validation needs no accelerator, only a CPU core each.</summary>
    public int Concurrency { get; set; } = 2;
}

/// <summary>How http(s) dataset_url values are fetched. Defaults are deliberately conservative.</summary>
public sealed record DownloadOptions
{
    /// <summary>Largest dataset accepted, in bytes (default 512 MiB). A larger body is refused mid-stream.</summary>
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Whole-download time cap in seconds (default 300).</summary>
    public double TimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// When empty, any public host may be the first URL, and redirects may only stay on that host. When set, the first
    /// URL and every redirect must be one of these hosts (exact, or a subdomain of an entry written as ".example.com").
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Redirects followed at most.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Allows loopback addresses (never private, link-local or metadata ones). Off by default; only for tests and
    /// for a dataset server on the same machine.
    /// </summary>
    public bool AllowLoopback { get; set; }
}

/// <summary>
/// Downloading a catalog base ("phi", "mistral", …) when a job names one that is not under models/base/ yet. Off by
/// default: a service should not fetch gigabytes unasked, and most machines that run it cannot reach the hub.
/// </summary>
public sealed record ModelDownloadOptions
{
    /// <summary>On: such a job is accepted, its validating_files phase downloads the base first (events say so).
    /// Off: 400 model_not_downloaded with the exact `lft pull` command.</summary>
    public bool AutoDownload { get; set; }

    /// <summary>The hub's address; null = HF_ENDPOINT, else https://huggingface.co.</summary>
    public string? HubEndpoint { get; set; }

    /// <summary>Token for gated repositories; null = HF_TOKEN.</summary>
    public string? HubToken { get; set; }

    /// <summary>Seconds the job-creation request waits for the base's config and tokenizer files (default 60).</summary>
    public double MetadataTimeoutSeconds { get; set; } = 60;
}
