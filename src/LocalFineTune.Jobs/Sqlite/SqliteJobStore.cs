using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LocalFineTune.Jobs.Sqlite;

/// <summary>
/// The embedded job store: one SQLite file in WAL mode. Each operation opens a pooled connection and runs one short
/// transaction, so HTTP threads and worker threads can call it concurrently; writers are serialized by SQLite's
/// write lock (BEGIN IMMEDIATE + busy timeout), readers never block in WAL mode.
/// </summary>
public sealed partial class SqliteJobStore : IJobStore
{
    public const int MaxMetadataPairs = 16;
    public const int MaxMetadataKeyLength = 64;
    public const int MaxMetadataValueLength = 512;
    private const int MaxPageSize = 1000;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public SqliteJobStore(string databasePath, TimeProvider? time = null, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _time = time ?? TimeProvider.System;
        BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(30);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout: our busy timeout.
            DefaultTimeout = (int)Math.Ceiling(BusyTimeout.TotalSeconds),
        }.ToString();
        using var connection = Open();
        // WAL persists in the file: readers (status polls) no longer wait for the writer (the trainer's progress).
        connection.Exec(null, "PRAGMA journal_mode=WAL");
        SqliteSchema.Migrate(connection);
    }

    public string DatabasePath { get; }
    public TimeSpan BusyTimeout { get; }

    public event EventHandler<JobChangedEventArgs>? Changed;

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public JobRecord Create(NewJob job)
    {
        ValidateNewJob(job);
        var id = job.Id ?? JobIds.NewJobId();
        var metadata = job.Metadata ?? new Dictionary<string, string>();
        var now = Now;
        WithTransaction((c, tx) =>
        {
            c.Exec(tx, """
                INSERT INTO jobs (id, source, device, state, created_at, available_at, attempt, max_attempts, spec,
                                  metadata, updated_at)
                VALUES (@id, @source, @device, @state, @now, @now, 0, @max, @spec, @metadata, @now)
                """,
                ("@id", id), ("@source", job.Source), ("@device", job.Device), ("@state", job.InitialState.ToWireName()),
                ("@now", now), ("@max", job.MaxAttempts), ("@spec", job.SpecJson),
                ("@metadata", JsonSerializer.Serialize(metadata)));
            foreach (var (key, value) in metadata)
            {
                c.Exec(tx, "INSERT INTO job_metadata (job_id, key, value) VALUES (@id, @k, @v)",
                    ("@id", id), ("@k", key), ("@v", value));
            }
            InsertHistory(c, tx, id, now, null, job.InitialState, "created", null);
            return 0;
        });
        Raise(id, JobChangeKind.Created, job.InitialState);
        return this.GetRequired(id);
    }

    public JobRecord? Get(string id)
    {
        using var c = Open();
        return GetJob(c, null, id);
    }

    public Page<JobRecord> List(JobListQuery query)
    {
        var limit = ClampLimit(query.Limit);
        using var c = Open();
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", limit + 1) };
        if (query.State is { } state)
        {
            where.Add("state = @state");
            parameters.Add(("@state", state.ToWireName()));
        }
        if (query.Device is { } device)
        {
            where.Add("device = @device");
            parameters.Add(("@device", device));
        }
        if (query.Source is { } source)
        {
            where.Add("source = @source");
            parameters.Add(("@source", source));
        }
        var i = 0;
        foreach (var (key, value) in query.Metadata ?? new Dictionary<string, string>())
        {
            where.Add($"EXISTS (SELECT 1 FROM job_metadata m WHERE m.job_id = jobs.id AND m.key = @k{i} AND m.value = @v{i})");
            parameters.Add(($"@k{i}", key));
            parameters.Add(($"@v{i}", value));
            i++;
        }
        if (query.After is { } after)
        {
            if (c.Scalar(null, "SELECT 1 FROM jobs WHERE id = @after", ("@after", after)) is null)
            {
                throw new ArgumentException(
                    $"after: no job '{after}'. Pass the id of the last job of the previous page, or omit 'after'.", nameof(query));
            }
            where.Add("(created_at, seq) < (SELECT created_at, seq FROM jobs WHERE id = @after)");
            parameters.Add(("@after", after));
        }
        var sql = new StringBuilder($"SELECT {SqliteRows.JobColumns} FROM jobs");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }
        sql.Append(" ORDER BY created_at DESC, seq DESC LIMIT @limit");
        var rows = c.Query(null, sql.ToString(), SqliteRows.ReadJob, parameters.ToArray());
        return ToPage(rows, limit);
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release ours so the file can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Per connection: SQLite's own busy wait (in addition to the driver's retry) and enforced references.
        connection.Exec(null, $"PRAGMA busy_timeout={(long)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one BEGIN IMMEDIATE transaction: the write lock is taken up front,
    /// so a read-then-write inside cannot race another writer.</summary>
    private T WithTransaction<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        var result = work(c, tx);
        tx.Commit();
        return result;
    }

    private static JobRecord? GetJob(SqliteConnection c, SqliteTransaction? tx, string id) =>
        c.Query(tx, $"SELECT {SqliteRows.JobColumns} FROM jobs WHERE id = @id", SqliteRows.ReadJob, ("@id", id))
            .FirstOrDefault();

    private static Page<T> ToPage<T>(List<T> rows, int limit) =>
        rows.Count > limit ? new Page<T>(rows.GetRange(0, limit), true) : new Page<T>(rows, false);

    private static int ClampLimit(int limit) =>
        limit < 1
            ? throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 1.")
            : Math.Min(limit, MaxPageSize);

    private void Raise(string jobId, JobChangeKind kind, JobState? state)
    {
        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }
        foreach (EventHandler<JobChangedEventArgs> handler in handlers.GetInvocationList())
        {
            try
            {
                handler(this, new JobChangedEventArgs(jobId, kind, state));
            }
            catch
            {
                // A listener's bug must not turn a committed change into an error for the caller.
            }
        }
    }

    private static void ValidateNewJob(NewJob job)
    {
        try
        {
            using var _ = JsonDocument.Parse(job.SpecJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"SpecJson is not valid JSON ({e.Message}). Serialize the request with System.Text.Json.", nameof(job), e);
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Device, nameof(job.Device));
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Source, nameof(job.Source));
        if (!JobStateMachine.IsInitial(job.InitialState))
        {
            throw new ArgumentException($"A job starts as validating_files or queued, not {job.InitialState.ToWireName()}.", nameof(job));
        }
        if (job.MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(job), job.MaxAttempts, "MaxAttempts must be between 1 and 100.");
        }
        if (job.Id is not null && !JobIds.LooksLikeJobId(job.Id))
        {
            throw new ArgumentException($"Job id '{job.Id}' must look like 'ftjob-' + letters/digits; leave Id null to generate one.", nameof(job));
        }
        ValidateMetadata(job.Metadata);
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        if (metadata.Count > MaxMetadataPairs)
        {
            throw new ArgumentException($"metadata has {metadata.Count} pairs; at most {MaxMetadataPairs} are allowed.", nameof(metadata));
        }
        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrEmpty(key) || key.Length > MaxMetadataKeyLength)
            {
                throw new ArgumentException($"metadata key '{key}' must be 1 to {MaxMetadataKeyLength} characters.", nameof(metadata));
            }
            if (value is null || value.Length > MaxMetadataValueLength)
            {
                throw new ArgumentException($"metadata['{key}'] must be a string of at most {MaxMetadataValueLength} characters.", nameof(metadata));
            }
        }
    }
}
