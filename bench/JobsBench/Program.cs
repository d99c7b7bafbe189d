// JobsBench (issue 15, item 7): jobs dispatched by Hangfire on the sqlite and postgres profiles. Per profile, on an idle
// worker: POST start → running latency (short jobs run to their end); then GET /api/finetune/status from 200 concurrent
// clients while a job trains. A plain Kestrel endpoint under the same load is the floor. The dispatcher Hangfire
// replaced is removed from the code, so it has no column. Loopback only, bounded request counts and timeouts.
using System.Globalization;
using LocalFineTune.Bench;
using LocalFineTune.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;

var concurrency = ArgInt("--concurrency", 200);
var total = ArgInt("--total", 2000);
var idleRuns = ArgInt("--idle-runs", 10);
var profiles = ArgString("--profiles", "sqlite,postgres").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
var postgres = ArgString("--postgres", Environment.GetEnvironmentVariable("LFT_TEST_POSTGRES") ?? "");
var repo = ServiceLoad.FindRepoRoot();

Console.WriteLine($"JobsBench: {Environment.ProcessorCount} cores, load average {LoadAverage()}, {concurrency} concurrent / {total} GETs, " +
    $"{idleRuns} idle start → running runs, tiny GPT-2 (1 layer, n_embd 16, vocab 50257)");
Console.WriteLine("| profile | start → running p50 (min / max) | status p50 / p99 / max | req/s | errors |");
Console.WriteLine("|---|---|---|---|---|");
var failed = false;
Console.WriteLine(await Floor());
foreach (var profile in profiles)
{
    if (profile == "postgres" && PostgresUnavailable() is { } reason)
    {
        Console.WriteLine($"| postgres | skipped: {reason} | | | |");
        continue;
    }
    var (row, errors) = await MeasureProfile(profile);
    failed |= errors > 0;
    Console.WriteLine(row);
}
return failed ? 1 : 0;

async Task<(string Row, int Errors)> MeasureProfile(string profile)
{
    var root = Path.Combine(Path.GetTempPath(), $"lft-jobs-bench-{Environment.ProcessId}-{profile}");
    var schema = $"lft_bench_{Environment.ProcessId}";
    try
    {
        ServiceLoad.PrepareFolders(root, repo);
        var url = $"http://127.0.0.1:{ServiceLoad.FreePort()}";
        List<string> settings = ["--urls", url, $"--LocalFineTune:ModelsRoot={root}/models", $"--LocalFineTune:DataRoot={root}/data",
            $"--LocalFineTune:StateFolder={root}/state", "--Logging:LogLevel:Default=Warning", $"--LocalFineTune:Profile={profile}"];
        if (profile == "postgres")
        {
            Sql(postgres, $"CREATE SCHEMA {schema}");
            var connection = new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ToString();
            settings.AddRange([$"--LocalFineTune:PostgresConnectionString={connection}", $"--LocalFineTune:HangfireSchema={schema}_hf"]);
        }
        var app = ServerApp.Build([.. settings]);
        await app.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

        var idle = new List<double>();
        for (var i = 0; i < idleRuns; i++) idle.Add(await ServiceLoad.StartToRunningMs(client));
        idle.Sort();
        var jobId = await ServiceLoad.StartJob(client, """{"model":"tiny","dataset_url":"train.csv","epochs":20,"batch_size":1,"save_steps":50}""");
        await ServiceLoad.WaitUntilStepping(client, jobId);
        var (ms, errors, seconds) = await ServiceLoad.Load(client, $"/api/finetune/status/{jobId}", concurrency, total);
        var after = (await ServiceLoad.Status(client, jobId)).GetProperty("status").GetString();
        await client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);
        await app.StopAsync();
        var note = after == "running" ? "" : $" (job was {after} at the end of the load)";
        return ($"| {profile} | {F(ServiceLoad.Pct(idle, 0.5))} ms ({F(idle[0])} / {F(idle[^1])}) | {Latencies(ms)} | {total / seconds:0} | {errors}{note} |", errors);
    }
    finally
    {
        if (profile == "postgres")
        {
            NpgsqlConnection.ClearAllPools();
            Sql(postgres, $"DROP SCHEMA IF EXISTS {schema} CASCADE; DROP SCHEMA IF EXISTS {schema}_hf CASCADE");
        }
        ServiceLoad.DeleteQuietly(root);
    }
}

// The floor: Kestrel answering a constant job-shaped JSON, no store, no Hangfire, same client and load.
async Task<string> Floor()
{
    var url = $"http://127.0.0.1:{ServiceLoad.FreePort()}";
    var builder = WebApplication.CreateBuilder(["--urls", url, "--Logging:LogLevel:Default=Warning"]);
    var app = builder.Build();
    app.MapGet("/status", () => Results.Json(new { id = "ftjob-floor", status = "running", step = 1, total_steps = 100 }));
    await app.StartAsync();
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
    await ServiceLoad.Load(client, "/status", concurrency, concurrency); // JIT and connections, not measured
    var (ms, errors, seconds) = await ServiceLoad.Load(client, "/status", concurrency, total);
    await app.StopAsync();
    return $"| floor: plain Kestrel, no job | – | {Latencies(ms)} | {total / seconds:0} | {errors} |";
}

string? PostgresUnavailable()
{
    if (postgres.Length == 0) return "no --postgres / LFT_TEST_POSTGRES (scripts/postgres-test-db.sh prints one)";
    try
    {
        Sql(postgres, "SELECT 1");
        return null;
    }
    catch (Exception e)
    {
        return $"PostgreSQL not reachable ({e.Message})";
    }
}

static void Sql(string connectionString, string sql)
{
    using var c = new NpgsqlConnection(connectionString);
    c.Open();
    using var command = new NpgsqlCommand(sql, c);
    command.ExecuteNonQuery();
}

static string Latencies(List<double> sorted) => $"{F(ServiceLoad.Pct(sorted, 0.5))} / {F(ServiceLoad.Pct(sorted, 0.99))} / {F(sorted[^1])} ms";

static string F(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

int ArgInt(string name, int fallback) => int.TryParse(ArgString(name, ""), out var v) ? v : fallback;

string ArgString(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
