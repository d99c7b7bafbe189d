using System.Text;
using System.Text.Json;
using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

/// <summary>
/// The shared job store: the same tables and the same single state changer as <see cref="Sqlite.SqliteJobStore"/>, in
/// one PostgreSQL database that several `lft serve` processes (API and workers, on several machines) use at once.
/// Writers are serialized by an advisory lock per transaction; readers never wait. <see cref="Changed"/> fires for
/// this process's own changes only; other processes notice through the dispatcher (Hangfire) and heartbeats.
/// </summary>
public sealed partial class PostgresJobStore : IJobStore
{
    public const int MaxMetadataPairs = 16;
    public const int MaxMetadataKeyLength = 64;
    public const int MaxMetadataValueLength = 512;
    private const int MaxPageSize = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    /// <param name="connectionString">One database shared by every lft process (Npgsql syntax:
    /// <c>Host=db;Username=lft;Password=…;Database=lft</c>). Tables live in the connection's search path.</param>
    public PostgresJobStore(string connectionString, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _time = time ?? TimeProvider.System;
        _dataSource = NpgsqlDataSource.Create(connectionString);
        using var connection = Open();
        PostgresSchema.Migrate(connection);
    }

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
        var sql = new StringBuilder($"SELECT {PostgresRows.JobColumns} FROM jobs");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }
        sql.Append(" ORDER BY created_at DESC, seq DESC LIMIT @limit");
        var rows = c.Query(null, sql.ToString(), PostgresRows.ReadJob, parameters.ToArray());
        return ToPage(rows, limit);
    }

    public void Dispose() => _dataSource.Dispose();

    private NpgsqlConnection Open() => _dataSource.OpenConnection();

    /// <summary>Runs <paramref name="work"/> in one transaction that first takes a database-wide advisory lock (held
    /// until commit): writers of every process are serialized like SQLite's BEGIN IMMEDIATE, so a read-then-write
    /// inside cannot race another worker. Each write is a few short statements, so the lock is never held long.</summary>
    private T WithTransaction<T>(Func<NpgsqlConnection, NpgsqlTransaction, T> work)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        c.Exec(tx, "SELECT pg_advisory_xact_lock(@k)", ("@k", PostgresSchema.WriteLockKey));
        var result = work(c, tx);
        tx.Commit();
        return result;
    }

    private static JobRecord? GetJob(NpgsqlConnection c, NpgsqlTransaction? tx, string id) =>
        c.Query(tx, $"SELECT {PostgresRows.JobColumns} FROM jobs WHERE id = @id", PostgresRows.ReadJob, ("@id", id))
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
