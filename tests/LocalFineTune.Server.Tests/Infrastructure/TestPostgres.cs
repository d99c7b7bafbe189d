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

/// <summary>Tests that start `lft serve` processes on the test database, or restart its server, run alone: a restart
/// would break the connections of any other PostgreSQL test in this assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresServerCollection
{
    public const string Name = "PostgreSQL server";
}

/// <summary>Restarts the local test cluster (Debian's pg_ctlcluster, as root, as scripts/postgres-test-db.sh sets up).</summary>
public static class PostgresServerControl
{
    /// <summary>Why the test cannot restart the server, or null when it can.</summary>
    public static string? CannotRestartReason()
    {
        if (TestPostgres.SkipReason is { } unreachable) return unreachable;
        var host = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString).Host;
        if (host is not ("127.0.0.1" or "localhost" or "::1"))
            return $"the test PostgreSQL is on '{host}', not this machine; the restart test needs the local cluster of scripts/postgres-test-db.sh.";
        if (Environment.UserName != "root")
            return "restarting PostgreSQL needs root (pg_ctlcluster); run the tests as root, as .ci/run does, to include this one.";
        return Cluster() is null ? "no online local PostgreSQL cluster (pg_lsclusters); run scripts/postgres-test-db.sh." : null;
    }

    public static void Restart()
    {
        var (version, name) = Cluster() ?? throw new InvalidOperationException("no online PostgreSQL cluster to restart");
        var (code, output) = Run("pg_ctlcluster", version, name, "restart");
        if (code != 0) throw new InvalidOperationException($"pg_ctlcluster {version} {name} restart failed ({code}): {output}");
    }

    /// <summary>The online cluster on the test connection's port, from `pg_lsclusters -h` (version cluster port status …).</summary>
    private static (string Version, string Name)? Cluster()
    {
        try
        {
            var port = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (code, output) = Run("pg_lsclusters", "-h");
            if (code != 0) return null;
            var row = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .FirstOrDefault(f => f.Length >= 4 && f[2] == port && f[3] == "online");
            return row is null ? null : (row[0], row[1]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // pg_lsclusters is not installed
        }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}

/// <summary>A fact that skips, saying why, unless the test can restart the local PostgreSQL server.</summary>
public sealed class PostgresRestartFactAttribute : FactAttribute
{
    public PostgresRestartFactAttribute()
    {
        if (PostgresServerControl.CannotRestartReason() is { } reason)
        {
            Skip = reason;
        }
    }
}
