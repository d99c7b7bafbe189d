using LocalFineTune.Jobs.Ado;
using Microsoft.Data.Sqlite;

namespace LocalFineTune.Jobs.Sqlite;

/// <summary>
/// Schema migrations, applied in order on open. Append a new entry to change the schema; never edit an applied one,
/// because files created by older builds have already run it.
/// </summary>
internal static class SqliteSchema
{
    internal static readonly string[] Migrations =
    [
        // 1: initial schema.
        JobSchema.InitialMigration(serialKey: "INTEGER PRIMARY KEY AUTOINCREMENT", integer: "INTEGER"),
        // 2: the explicit "latest" pointer per base (docs/architecture.md, "Selecting models").
        Models.ModelPointerSql.Migration,
        // 3: schedules (the monthly retrain), registered with Hangfire as recurring jobs by the service.
        Schedules.ScheduleSql.Migration,
    ];

    public static int LatestVersion => Migrations.Length;

    public static void Migrate(SqliteConnection connection)
    {
        using (var tx = connection.BeginTransaction())
        {
            connection.Exec(tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            tx.Commit();
        }
        // BEGIN IMMEDIATE (the default) holds the write lock, so two processes opening one file migrate once.
        using var migrate = connection.BeginTransaction();
        JobSchema.ApplyPending(connection, migrate, Migrations, current =>
            $"The job database has schema version {current}, newer than this build knows ({LatestVersion}). " +
            "Run a newer LocalFineTune build, or point the state folder at a fresh directory.");
        migrate.Commit();
    }
}
