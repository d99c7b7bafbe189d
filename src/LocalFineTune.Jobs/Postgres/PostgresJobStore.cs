using System.Data.Common;
using LocalFineTune.Jobs.Ado;
using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

/// <summary>
/// The shared job store: the same tables and the same single state changer as <see cref="Sqlite.SqliteJobStore"/>, in
/// one PostgreSQL database that several `lft serve` processes (API and workers, on several machines) use at once.
/// Writers are serialized by an advisory lock per transaction; readers never wait. <see cref="AdoJobStore.Changed"/>
/// fires for this process's own changes only; other processes notice through the dispatcher (Hangfire) and heartbeats.
/// The reads and writes are <see cref="AdoJobStore"/>'s; this class holds what is PostgreSQL's own.
/// </summary>
public sealed class PostgresJobStore : AdoJobStore
{
    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">One database shared by every lft process (Npgsql syntax:
    /// <c>Host=db;Username=lft;Password=…;Database=lft</c>). Tables live in the connection's search path.</param>
    public PostgresJobStore(string connectionString, TimeProvider? time = null)
        : base(time, SqlDialect.Postgres)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        using var connection = _dataSource.OpenConnection();
        PostgresSchema.Migrate(connection);
    }

    public override void Dispose() => _dataSource.Dispose();

    private protected override DbConnection Open() => _dataSource.OpenConnection();

    /// <summary>A transaction that first takes a database-wide advisory lock (held until commit): writers of every
    /// process are serialized like SQLite's BEGIN IMMEDIATE, so a read-then-write inside cannot race another worker.
    /// Each write is a few short statements, so the lock is never held long.</summary>
    private protected override DbTransaction BeginWrite(DbConnection c)
    {
        var tx = c.BeginTransaction();
        try
        {
            PostgresSchema.TakeWriteLock(c, tx);
        }
        catch
        {
            tx.Dispose();
            throw;
        }
        return tx;
    }
}
