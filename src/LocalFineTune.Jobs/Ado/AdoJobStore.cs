using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace LocalFineTune.Jobs.Ado;

/// <summary>
/// What <see cref="Sqlite.SqliteJobStore"/> and <see cref="Postgres.PostgresJobStore"/> share: every read and write of
/// the job tables, written once over ADO.NET's base classes, because both schemas have the same tables and columns and
/// almost all of the SQL is portable. A store supplies only what its database does differently: how a connection is
/// opened, how a write transaction takes the write lock, and the few SQL words of <see cref="SqlDialect"/>.
/// Only this assembly can derive from it (the constructor is private protected).
/// </summary>
public abstract partial class AdoJobStore : IJobStore
{
    public const int MaxMetadataPairs = 16;
    public const int MaxMetadataKeyLength = 64;
    public const int MaxMetadataValueLength = 512;
    private const int MaxPageSize = 1000;

    private readonly TimeProvider _time;
    private readonly SqlDialect _dialect;

    private protected AdoJobStore(TimeProvider? time, SqlDialect dialect)
    {
        _time = time ?? TimeProvider.System;
        _dialect = dialect;
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
        var sql = new StringBuilder($"SELECT {JobRows.JobColumns} FROM jobs");
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }
        sql.Append(" ORDER BY created_at DESC, seq DESC LIMIT @limit");
        var rows = c.Query(null, sql.ToString(), JobRows.ReadJob, parameters.ToArray());
        return ToPage(rows, limit);
    }

    public abstract void Dispose();

    /// <summary>A new open connection (pooled by the driver); the caller disposes it.</summary>
    private protected abstract DbConnection Open();

    /// <summary>Begins the transaction every read-then-write runs in, holding the database's write lock until commit,
    /// so writers (of every process on the database) are serialized and a read inside cannot go stale.</summary>
    private protected abstract DbTransaction BeginWrite(DbConnection c);

    private T WithTransaction<T>(Func<DbConnection, DbTransaction, T> work)
    {
        using var c = Open();
        using var tx = BeginWrite(c);
        var result = work(c, tx);
        tx.Commit();
        return result;
    }

    /// <summary>Runs a read on its own connection outside a write transaction: readers do not wait for the write lock.</summary>
    private T WithConnection<T>(Func<DbConnection, T> read)
    {
        using var c = Open();
        return read(c);
    }

    private static JobRecord? GetJob(DbConnection c, DbTransaction? tx, string id) =>
        c.Query(tx, $"SELECT {JobRows.JobColumns} FROM jobs WHERE id = @id", JobRows.ReadJob, ("@id", id))
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
}
