using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Postgres;
using LocalFineTune.Jobs.Sqlite;
using LocalFineTune.Server.Configuration;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// The storage profiles: which <see cref="IJobStore"/> holds the jobs and which Hangfire storage holds the queue.
/// sqlite: SQLite file + Hangfire in memory, re-filled from the file at start (docs/architecture.md says why);
/// postgres: both in one database, several processes; memory: a throw-away SQLite file + Hangfire in memory (tests).
/// </summary>
public static class JobProfiles
{
    /// <summary>A worker whose lease is this old is dead: 10 missed heartbeats.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    public static IJobStore CreateStore(ServerOptions options) => options.Profile switch
    {
        "postgres" => new PostgresJobStore(options.PostgresConnectionString!),
        "memory" => new SqliteJobStore(Path.Combine(Path.GetTempPath(), "lft-memory", Guid.NewGuid().ToString("N"), "jobs.db")),
        _ => CreateSqliteStore(options),
    };

    public static JobDispatcherOptions CreateDispatcherOptions(ServerOptions options)
    {
        var trains = options.Role != "api";
        var dispatcher = new JobDispatcherOptions
        {
            DeviceConcurrency = trains ? options.Devices.ToDictionary(d => d, _ => options.ConcurrencyPerDevice) : new Dictionary<string, int>(),
            ValidationConcurrency = trains ? options.Validation.Concurrency : 0,
            RetryDelay = TimeSpan.FromSeconds(options.RetryDelaySeconds),
        };
        if (options.Profile != "postgres")
        {
            return dispatcher;
        }
        if (options.HangfireInvisibilityTimeoutSeconds <= 0)
        {
            throw new InvalidOperationException(
                $"LocalFineTune:HangfireInvisibilityTimeoutSeconds is {options.HangfireInvisibilityTimeoutSeconds}; it must be positive (default 30).");
        }
        return dispatcher with
        {
            Storage = CreatePostgresStorage(options.PostgresConnectionString!, options.HangfireSchema,
                TimeSpan.FromSeconds(options.HangfireInvisibilityTimeoutSeconds)),
            StaleAfter = StaleAfter,
            // Only workers recover: an API process must not decide that a busy worker is dead... it cannot anyway
            // (leases are renewed every second), but it has no queue to put the job back into either.
            RecoverOnStart = trains,
            // Hangfire's PostgreSQL queue survives restarts: enqueue only what is waiting without a Hangfire job
            // (a second delivery is harmless, so a full sweep at start is still correct, only a little wasteful).
            EnqueuePendingOnStart = trains,
        };
    }

    /// <summary>With sliding invisibility a healthy long job keeps its claim; a dead worker's job is redelivered after
    /// <paramref name="invisibilityTimeout"/> (our own recovery, <see cref="JobDispatcherOptions.StaleAfter"/>, usually
    /// requeues it sooner).</summary>
    public static JobStorage CreatePostgresStorage(string connectionString, string schema, TimeSpan invisibilityTimeout) =>
        new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions
        {
            SchemaName = schema,
            // Measured: without sliding, a job longer than the invisibility timeout is taken again by another server.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = invisibilityTimeout,
            QueuePollInterval = TimeSpan.FromSeconds(1),
            PrepareSchemaIfNecessary = true,
        });

    /// <summary>Workers of the postgres profile read and write models/, the data root and the state folder (checkpoints):
    /// they must be on storage every worker sees. Checked at start so a read-only or missing mount fails loudly.</summary>
    public static void EnsureSharedFoldersWritable(ServerOptions options)
    {
        foreach (var (name, folder) in new[] { ("models root", options.ModelsRoot), ("data root", options.DataRoot), ("state folder", options.StateFolder) })
        {
            try
            {
                Directory.CreateDirectory(folder);
                var probe = Path.Combine(folder, $".lft-write-probe-{Environment.ProcessId}");
                File.WriteAllText(probe, "ok");
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"The {name} '{folder}' is not writable ({e.Message}). With the postgres profile every worker needs it " +
                    "read-write, on storage all workers share (NFS or similar), at the same path.", e);
            }
        }
    }

    private static SqliteJobStore CreateSqliteStore(ServerOptions options)
    {
        Directory.CreateDirectory(options.StateFolder);
        return new SqliteJobStore(Path.Combine(options.StateFolder, "jobs.db"));
    }
}
