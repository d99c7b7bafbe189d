using Npgsql;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>The test PostgreSQL (LFT_TEST_POSTGRES, or what scripts/postgres-test-db.sh creates); one schema per test.</summary>
public sealed class TestPostgres : IDisposable
{
    private const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=lft_test;Password=lft_test;Database=lft_test;Timeout=15";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("LFT_TEST_POSTGRES") is { Length: > 0 } fromEnv ? fromEnv : DefaultConnectionString;

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            using var c = new NpgsqlConnection(ServerConnectionString);
            c.Open();
            return null;
        }
        catch (Exception e)
        {
            return $"PostgreSQL is not reachable ({e.Message}); run scripts/postgres-test-db.sh (or set LFT_TEST_POSTGRES) to run this test.";
        }
    });

    public static string? SkipReason => Unavailable.Value;

    public TestPostgres()
    {
        Schema = "lft_s_" + Guid.NewGuid().ToString("N")[..12];
        Run($"CREATE SCHEMA {Schema}");
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { SearchPath = Schema, Timeout = 30 }.ToString();
    }

    public string Schema { get; }
    public string ConnectionString { get; }

    /// <summary>The settings of the postgres profile on this schema (Hangfire's tables in their own schema next to it).</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["LocalFineTune:Profile"] = "postgres",
        ["LocalFineTune:PostgresConnectionString"] = ConnectionString,
        ["LocalFineTune:HangfireSchema"] = Schema + "_hf",
    };

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Run($"DROP SCHEMA IF EXISTS {Schema} CASCADE; DROP SCHEMA IF EXISTS {Schema}_hf CASCADE");
    }

    private static void Run(string sql)
    {
        using var c = new NpgsqlConnection(ServerConnectionString);
        c.Open();
        using var command = new NpgsqlCommand(sql, c);
        command.ExecuteNonQuery();
    }
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
