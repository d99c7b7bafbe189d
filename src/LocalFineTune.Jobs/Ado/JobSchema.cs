using System.Data.Common;

namespace LocalFineTune.Jobs.Ado;

/// <summary>
/// The schema-version logic both stores share, and migration 1, whose text differs between them only in two type names.
/// Migrations are numbered by their place in each store's list and recorded in schema_version; a database runs each
/// number once, so an applied migration's text must never change (JobSchemaTests pins every one).
/// </summary>
internal static class JobSchema
{
    /// <summary>Migration 1, the job tables. <paramref name="serialKey"/> is an auto-numbered 64-bit primary key,
    /// <paramref name="integer"/> a 64-bit integer in that database's words. Never edit: append a migration instead.</summary>
    public static string InitialMigration(string serialKey, string integer) => $$"""
        CREATE TABLE jobs (
            seq {{serialKey}},   -- insertion order: FIFO tie-break within one created_at second
            id TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            device TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at {{integer}} NOT NULL,
            started_at {{integer}},
            finished_at {{integer}},
            available_at {{integer}} NOT NULL,
            attempt {{integer}} NOT NULL DEFAULT 0,
            max_attempts {{integer}} NOT NULL,
            spec TEXT NOT NULL,
            result TEXT,
            error_code TEXT,
            error_message TEXT,
            error_param TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            progress TEXT,
            cancel_requested {{integer}} NOT NULL DEFAULT 0,
            resume_from TEXT,
            owner_id TEXT,
            heartbeat_at {{integer}},
            updated_at {{integer}} NOT NULL
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
            id {{serialKey}},
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            at {{integer}} NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            reason TEXT NOT NULL,
            owner_id TEXT
        );
        CREATE INDEX ix_job_history_job ON job_history (job_id, id);

        CREATE TABLE job_events (
            id {{serialKey}},
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            created_at {{integer}} NOT NULL,
            level TEXT NOT NULL,
            type TEXT NOT NULL,
            message TEXT NOT NULL,
            data TEXT
        );
        CREATE INDEX ix_job_events_job ON job_events (job_id, id);

        CREATE TABLE job_checkpoints (
            id {{serialKey}},
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            created_at {{integer}} NOT NULL,
            step_number {{integer}} NOT NULL,
            path TEXT NOT NULL,
            metrics TEXT
        );
        CREATE INDEX ix_job_checkpoints_job ON job_checkpoints (job_id, id);
        """;

    /// <summary>Runs, inside <paramref name="tx"/> (which holds the write lock, so two processes starting together
    /// migrate once), every migration newer than schema_version, recording each. The caller commits.</summary>
    public static void ApplyPending(DbConnection c, DbTransaction tx, string[] migrations, Func<int, string> newerThanBuild)
    {
        var current = Convert.ToInt32(c.Scalar(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version"));
        if (current > migrations.Length)
        {
            throw new InvalidOperationException(newerThanBuild(current));
        }
        for (var version = current + 1; version <= migrations.Length; version++)
        {
            c.Exec(tx, migrations[version - 1]);
            c.Exec(tx, "INSERT INTO schema_version (version) VALUES (@v)", ("@v", version));
        }
    }
}
