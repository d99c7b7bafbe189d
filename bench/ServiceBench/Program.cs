// ServiceBench: load on GET /api/finetune/status while a job trains, and POST start → running latency on an idle
// service. Everything runs on loopback (127.0.0.1) with bounded request counts and timeouts.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server;

var burst = ArgInt("--concurrency", 200);
var total = ArgInt("--total", 2000);
var idleRuns = ArgInt("--idle-runs", 5);
var repo = FindRepoRoot();
var root = Path.Combine(Path.GetTempPath(), "lft-service-bench-" + Environment.ProcessId);
Directory.CreateDirectory(Path.Combine(root, "data"));
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
    await WaitFor(client, jobId, "running");
    // Load only once the trainer is really stepping (progress written), so the figures are "while a job trains".
    while ((await Status(client, jobId)).GetProperty("step").ValueKind != JsonValueKind.Number) await Task.Delay(50);
    var (latencies, errors, seconds) = await Load(client, jobId, burst, total);
    var stillRunning = await Status(client, jobId);
    latencies.Sort();
    Console.WriteLine($"GET /status while training: {total} requests, {burst} concurrent (first wave of {burst} at once), errors {errors}");
    Console.WriteLine($"  p50 {Pct(latencies, 0.50):0.0} ms, p99 {Pct(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms, {total / seconds:0} req/s; job status after: {stillRunning.GetProperty("status")}, step {stillRunning.GetProperty("step")}");
    await client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);
    await app.StopAsync();
    return errors == 0 ? 0 : 1;
}
finally
{
    try
    {
        Directory.Delete(root, recursive: true);
    }
    catch (IOException)
    {
        // A training thread may still be writing a checkpoint; the temp folder is left to the OS.
    }
}

static async Task<(List<double>, int, double)> Load(HttpClient client, string jobId, int concurrency, int total)
{
    var latencies = new List<double>(total);
    var errors = 0;
    var next = 0;
    var clock = Stopwatch.StartNew();
    async Task Worker()
    {
        while (Interlocked.Increment(ref next) <= total)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync($"/api/finetune/status/{jobId}");
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref errors);
            }
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (latencies) latencies.Add(ms);
        }
    }
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
    return (latencies, errors, clock.Elapsed.TotalSeconds);
}

static async Task<double> StartToRunningMs(HttpClient client)
{
    var clock = Stopwatch.StartNew();
    var jobId = await StartJob(client, """{"model":"tiny","dataset_url":"small.csv","epochs":1,"batch_size":4}""");
    await WaitFor(client, jobId, "running");
    var ms = clock.Elapsed.TotalMilliseconds;
    // A short job run to its end rather than cancelled: see the JobWorker run-map race noted in the report.
    await WaitFor(client, jobId, "final");
    return ms;
}

static async Task<string> StartJob(HttpClient client, string body)
{
    var response = await client.PostAsync("/api/finetune/start", new StringContent(body, Encoding.UTF8, "application/json"));
    if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
}

static async Task WaitFor(HttpClient client, string jobId, string status)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromSeconds(120))
    {
        var now = (await Status(client, jobId)).GetProperty("status").GetString();
        if (now == status || (status == "final" && now is "succeeded" or "failed" or "cancelled")) return;
        if (now is "failed" or "succeeded" && status != now) throw new InvalidOperationException($"job {jobId} ended {now}");
        await Task.Delay(2);
    }
    throw new TimeoutException($"job {jobId} never reached {status}; last: {await Status(client, jobId)}");
}

static async Task<JsonElement> Status(HttpClient client, string jobId) =>
    await client.GetFromJsonAsync<JsonElement>($"/api/finetune/status/{jobId}");

static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static void PrepareFolders(string root, string repo)
{
    var config = new Gpt2Config { VocabSize = 50257, NPositions = 64, NEmbd = 16, NLayer = 1, NHead = 2 };
    HfModelFolder.CreateRandomFolder(Path.Combine(root, "models", "base", "tiny"), config, Path.Combine(repo, "models", "base", "tiny-gpt2"), 7);
    var csv = new StringBuilder("text\n");
    for (var i = 0; i < 2000; i++) csv.Append($"\"Fridge {i}: the compressor is noisy, check the fan and the frost.\"\n");
    File.WriteAllText(Path.Combine(root, "data", "train.csv"), csv.ToString());
    File.WriteAllText(Path.Combine(root, "data", "small.csv"), string.Join("\n", csv.ToString().Split('\n').Take(41)) + "\n");
}

static int FreePort()
{
    var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}

int ArgInt(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
