using Microsoft.Data.Sqlite;

namespace LocalFineTune.Jobs.Sqlite;

/// <summary>
/// Schema migrations, applied in order on open. Append a new entry to change the schema; never edit an applied one,
/// because files created by older builds have already run it.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        // 1: initial schema.
        """
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- insertion order: FIFO tie-break within one created_at second
            id TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            device TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            available_at INTEGER NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            spec TEXT NOT NULL,
            result TEXT,
            error_code TEXT,
            error_message TEXT,
            error_param TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            progress TEXT,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            resume_from TEXT,
            owner_id TEXT,
            heartbeat_at INTEGER,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX ix_jobs_claim ON jobs (device, state, created_at, seq);
        CREATE INDEX ix_jobs_state ON jobs (state, created_at, seq);
        CREATE INDEX ix_jobs_created ON jobs (created_at, seq);

        -- One row per metadata pair, so the metadata[k]=v filter is an indexed lookup (the JSON column is for reading).
        CREATE TABLE job_metadata (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (job_id, key)
        );
        CREATE INDEX ix_job_metadata_kv ON job_metadata (key, value);

        CREATE TABLE job_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            at INTEGER NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            reason TEXT NOT NULL,
            owner_id TEXT
        );
        CREATE INDEX ix_job_history_job ON job_history (job_id, id);

        CREATE TABLE job_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            level TEXT NOT NULL,
            type TEXT NOT NULL,
            message TEXT NOT NULL,
            data TEXT
        );
        CREATE INDEX ix_job_events_job ON job_events (job_id, id);

        CREATE TABLE job_checkpoints (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            step_number INTEGER NOT NULL,
            path TEXT NOT NULL,
            metrics TEXT
        );
        CREATE INDEX ix_job_checkpoints_job ON job_checkpoints (job_id, id);
        """,
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
        var current = Convert.ToInt32(connection.Scalar(migrate, "SELECT COALESCE(MAX(version), 0) FROM schema_version"));
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The job database has schema version {current}, newer than this build knows ({LatestVersion}). " +
                "Run a newer LocalFineTune build, or point the state folder at a fresh directory.");
        }
        for (var version = current + 1; version <= LatestVersion; version++)
        {
            connection.Exec(migrate, Migrations[version - 1]);
            connection.Exec(migrate, "INSERT INTO schema_version (version) VALUES (@v)", ("@v", version));
        }
        migrate.Commit();
    }
}
