using System.Data.Common;
using LocalFineTune.Jobs.Ado;
using Microsoft.Data.Sqlite;

namespace LocalFineTune.Jobs.Sqlite;

/// <summary>
/// The embedded job store: one SQLite file in WAL mode. Each operation opens a pooled connection and runs one short
/// transaction, so HTTP threads and worker threads can call it concurrently; writers are serialized by SQLite's
/// write lock (BEGIN IMMEDIATE + busy timeout), readers never block in WAL mode.
/// The reads and writes are <see cref="AdoJobStore"/>'s; this class holds what is SQLite's own.
/// </summary>
public sealed class SqliteJobStore : AdoJobStore
{
    private readonly string _connectionString;

    public SqliteJobStore(string databasePath, TimeProvider? time = null, TimeSpan? busyTimeout = null)
        : base(time, SqlDialect.Sqlite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(30);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout: our busy timeout.
            DefaultTimeout = (int)Math.Ceiling(BusyTimeout.TotalSeconds),
        }.ToString();
        using var connection = OpenFile();
        // WAL persists in the file: readers (status polls) no longer wait for the writer (the trainer's progress).
        connection.Exec(null, "PRAGMA journal_mode=WAL");
        SqliteSchema.Migrate(connection);
    }

    public string DatabasePath { get; }
    public TimeSpan BusyTimeout { get; }

    public override void Dispose()
    {
        // Pooled connections keep the file open; release ours so the file can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private protected override DbConnection Open() => OpenFile();

    /// <summary>BEGIN IMMEDIATE: the write lock is taken up front, so a read-then-write inside cannot race another
    /// writer.</summary>
    private protected override DbTransaction BeginWrite(DbConnection c) => ((SqliteConnection)c).BeginTransaction(deferred: false);

    private SqliteConnection OpenFile()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Per connection: SQLite's own busy wait (in addition to the driver's retry) and enforced references.
        connection.Exec(null, $"PRAGMA busy_timeout={(long)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
        return connection;
    }
}
