using LocalFineTune.Jobs.Postgres;
using Npgsql;

namespace LocalFineTune.Jobs.Tests;

/// <summary>
/// The test database: LFT_TEST_POSTGRES, or the one scripts/postgres-test-db.sh creates. Each test gets its own schema
/// (dropped afterwards), so tests never see each other's rows.
/// </summary>
public static class TestPostgres
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=lft_test;Password=lft_test;Database=lft_test;Timeout=15";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("LFT_TEST_POSTGRES") is { Length: > 0 } fromEnv ? fromEnv : DefaultConnectionString;

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            using var c = new NpgsqlConnection(ConnectionString);
            c.Open();
            return null;
        }
        catch (Exception e)
        {
            return $"PostgreSQL is not reachable ({e.Message}); run scripts/postgres-test-db.sh (or set LFT_TEST_POSTGRES) to run this test.";
        }
    });

    /// <summary>Why PostgreSQL tests skip, or null when the server answers.</summary>
    public static string? SkipReason => Unavailable.Value;
}

/// <summary>A fact that skips, saying why, when the test PostgreSQL server is not reachable.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestPostgres.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fresh schema for one test, with a store on it.</summary>
public sealed class TempPostgres : IDisposable
{
    public TempPostgres(TimeProvider? time = null)
    {
        Schema = "lft_t_" + Guid.NewGuid().ToString("N")[..12];
        using (var c = new NpgsqlConnection(TestPostgres.ConnectionString))
        {
            c.Open();
            using var create = new NpgsqlCommand($"CREATE SCHEMA {Schema}", c);
            create.ExecuteNonQuery();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { SearchPath = Schema, Timeout = 30 }.ToString();
        Store = new PostgresJobStore(ConnectionString, time);
    }

    public string Schema { get; }
    public string ConnectionString { get; }
    public PostgresJobStore Store { get; }

    public JobRecord Create(JobState initial = JobState.Queued, string device = "cpu", int maxAttempts = 3) =>
        Store.Create(new NewJob
        {
            SpecJson = """{"model":"tiny-gpt2","dataset":"data.jsonl"}""",
            InitialState = initial,
            Device = device,
            MaxAttempts = maxAttempts,
        });

    public void Execute(string sql)
    {
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        using var command = new NpgsqlCommand(sql, c);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        Store.Dispose();
        NpgsqlConnection.ClearAllPools();
        using var c = new NpgsqlConnection(TestPostgres.ConnectionString);
        c.Open();
        using var drop = new NpgsqlCommand($"DROP SCHEMA {Schema} CASCADE", c);
        drop.ExecuteNonQuery();
    }
}
