using System.Data.Common;
using LocalFineTune.Jobs.Ado;
using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

/// <summary>
/// Schema migrations, applied in order on open. Append a new entry to change the schema; never edit an applied one,
/// because files created by older builds have already run it.
/// </summary>
internal static class PostgresSchema
{
    internal static readonly string[] Migrations =
    [
        // 1: initial schema.
        JobSchema.InitialMigration(serialKey: "BIGSERIAL PRIMARY KEY", integer: "BIGINT"),
        // 2: the explicit "latest" pointer per base (docs/architecture.md, "Selecting models").
        Models.ModelPointerSql.Migration,
        // 3: schedules (the monthly retrain), registered with Hangfire as recurring jobs by the service.
        Schedules.ScheduleSql.Migration,
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>The advisory lock every write transaction takes (an arbitrary constant: "lft jobs").</summary>
    public const long WriteLockKey = 0x6C66_745F_6A6F_6273;

    /// <summary>Waits for the database-wide write lock; PostgreSQL releases it when <paramref name="tx"/> ends.</summary>
    public static void TakeWriteLock(DbConnection c, DbTransaction tx) =>
        c.Exec(tx, "SELECT pg_advisory_xact_lock(@k)", ("@k", WriteLockKey));

    public static void Migrate(NpgsqlConnection connection)
    {
        // One transaction under the write lock: two processes starting together migrate once.
        using var migrate = connection.BeginTransaction();
        TakeWriteLock(connection, migrate);
        connection.Exec(migrate, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
        JobSchema.ApplyPending(connection, migrate, Migrations, current =>
            $"The PostgreSQL job database has schema version {current}, newer than this build knows ({LatestVersion}). " +
            "Run a newer LocalFineTune build on every machine, or point the connection string at a fresh database.");
        migrate.Commit();
    }
}
