// ServiceBench: load on GET /api/finetune/status while a job trains, and POST start → running latency on an idle
// service. Everything runs on loopback (127.0.0.1) with bounded request counts and timeouts. Helpers: bench/Shared/ServiceLoad.cs.
using LocalFineTune.Bench;
using LocalFineTune.Server;
using static LocalFineTune.Bench.ServiceLoad;

var burst = ArgInt("--concurrency", 200);
var total = ArgInt("--total", 2000);
var idleRuns = ArgInt("--idle-runs", 5);
var repo = FindRepoRoot();
var root = Path.Combine(Path.GetTempPath(), "lft-service-bench-" + Environment.ProcessId);
try
{
    PrepareFolders(root, repo);
    var port = FreePort();
    var url = $"http://127.0.0.1:{port}";
    var app = ServerApp.Build(["--urls", url, $"--LocalFineTune:ModelsRoot={root}/models", $"--LocalFineTune:DataRoot={root}/data",
        $"--LocalFineTune:StateFolder={root}/state", "--Logging:LogLevel:Default=Warning"]);
    await app.StartAsync();
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = burst }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

    Console.WriteLine($"ServiceBench: {Environment.ProcessorCount} cores, {url}, tiny GPT-2 (1 layer, n_embd 16, vocab 50257)");
    var idle = new List<double>();
    for (var i = 0; i < idleRuns; i++) idle.Add(await StartToRunningMs(client));
    idle.Sort();
    Console.WriteLine($"POST start → running (idle service, {idleRuns} runs): median {idle[idle.Count / 2]:0.0} ms, min {idle[0]:0.0} ms, max {idle[^1]:0.0} ms");

    var jobId = await StartJob(client, """{"model":"tiny","dataset_url":"train.csv","epochs":20,"batch_size":1,"save_steps":50}""");
    // Load only once the trainer is really stepping (progress written), so the figures are "while a job trains".
    await WaitUntilStepping(client, jobId);
    var (latencies, errors, seconds) = await Load(client, $"/api/finetune/status/{jobId}", burst, total);
    var stillRunning = await Status(client, jobId);
    Console.WriteLine($"GET /status while training: {total} requests, {burst} concurrent (first wave of {burst} at once), errors {errors}");
    Console.WriteLine($"  p50 {Pct(latencies, 0.50):0.0} ms, p99 {Pct(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms, {total / seconds:0} req/s; job status after: {stillRunning.GetProperty("status")}, step {stillRunning.GetProperty("step")}");
    await client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);
    await app.StopAsync();
    return errors == 0 ? 0 : 1;
}
finally
{
    DeleteQuietly(root);
}

int ArgInt(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
