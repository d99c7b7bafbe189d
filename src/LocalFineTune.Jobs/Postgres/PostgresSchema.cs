using Npgsql;

namespace LocalFineTune.Jobs.Postgres;

/// <summary>
/// Schema migrations, applied in order on open. Append a new entry to change the schema; never edit an applied one,
/// because files created by older builds have already run it.
/// </summary>
internal static class PostgresSchema
{
    private static readonly string[] Migrations =
    [
        // 1: initial schema.
        """
        CREATE TABLE jobs (
            seq BIGSERIAL PRIMARY KEY,   -- insertion order: FIFO tie-break within one created_at second
            id TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            device TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            started_at BIGINT,
            finished_at BIGINT,
            available_at BIGINT NOT NULL,
            attempt BIGINT NOT NULL DEFAULT 0,
            max_attempts BIGINT NOT NULL,
            spec TEXT NOT NULL,
            result TEXT,
            error_code TEXT,
            error_message TEXT,
            error_param TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            progress TEXT,
            cancel_requested BIGINT NOT NULL DEFAULT 0,
            resume_from TEXT,
            owner_id TEXT,
            heartbeat_at BIGINT,
            updated_at BIGINT NOT NULL
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
            id BIGSERIAL PRIMARY KEY,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            at BIGINT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            reason TEXT NOT NULL,
            owner_id TEXT
        );
        CREATE INDEX ix_job_history_job ON job_history (job_id, id);

        CREATE TABLE job_events (
            id BIGSERIAL PRIMARY KEY,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            created_at BIGINT NOT NULL,
            level TEXT NOT NULL,
            type TEXT NOT NULL,
            message TEXT NOT NULL,
            data TEXT
        );
        CREATE INDEX ix_job_events_job ON job_events (job_id, id);

        CREATE TABLE job_checkpoints (
            id BIGSERIAL PRIMARY KEY,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            created_at BIGINT NOT NULL,
            step_number BIGINT NOT NULL,
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

    /// <summary>The advisory lock every write transaction takes (an arbitrary constant: "lft jobs").</summary>
    public const long WriteLockKey = 0x6C66_745F_6A6F_6273;

    public static void Migrate(NpgsqlConnection connection)
    {
        // One transaction under the write lock: two processes starting together migrate once.
        using var migrate = connection.BeginTransaction();
        connection.Exec(migrate, "SELECT pg_advisory_xact_lock(@k)", ("@k", WriteLockKey));
        connection.Exec(migrate, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
        var current = Convert.ToInt32(connection.Scalar(migrate, "SELECT COALESCE(MAX(version), 0) FROM schema_version"));
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL job database has schema version {current}, newer than this build knows ({LatestVersion}). " +
                "Run a newer LocalFineTune build on every machine, or point the connection string at a fresh database.");
        }
        for (var version = current + 1; version <= LatestVersion; version++)
        {
            connection.Exec(migrate, Migrations[version - 1]);
            connection.Exec(migrate, "INSERT INTO schema_version (version) VALUES (@v)", ("@v", version));
        }
        migrate.Commit();
    }
}
