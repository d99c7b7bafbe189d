// Shared by ServiceBench and JobsBench (linked, not referenced): a tiny base on disk, HTTP helpers for jobs, and the
// concurrent GET load whose latencies both report.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;

namespace LocalFineTune.Bench;

public static class ServiceLoad
{
    /// <summary><paramref name="total"/> GETs of <paramref name="path"/> from <paramref name="concurrency"/> clients at once.</summary>
    public static async Task<(List<double> SortedMs, int Errors, double Seconds)> Load(HttpClient client, string path, int concurrency, int total)
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
                    using var response = await client.GetAsync(path);
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
        latencies.Sort();
        return (latencies, errors, clock.Elapsed.TotalSeconds);
    }

    public static async Task<string> StartJob(HttpClient client, string body)
    {
        var response = await client.PostAsync("/api/finetune/start", new StringContent(body, Encoding.UTF8, "application/json"));
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
    }

    /// <summary>Polls every 2 ms until the job is <paramref name="status"/> ("final": any end state).</summary>
    public static async Task WaitFor(HttpClient client, string jobId, string status)
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

    public static async Task<JsonElement> Status(HttpClient client, string jobId) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/finetune/status/{jobId}");

    /// <summary>Waits until the trainer really steps (progress written), so load is measured "while a job trains".</summary>
    public static async Task WaitUntilStepping(HttpClient client, string jobId)
    {
        await WaitFor(client, jobId, "running");
        while ((await Status(client, jobId)).GetProperty("step").ValueKind != JsonValueKind.Number) await Task.Delay(50);
    }

    /// <summary>POST start → running of a short job; the job is run to its end rather than cancelled, so the next
    /// measurement starts on an idle worker.</summary>
    public static async Task<double> StartToRunningMs(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        var jobId = await StartJob(client, """{"model":"tiny","dataset_url":"small.csv","epochs":1,"batch_size":4}""");
        await WaitFor(client, jobId, "running");
        var ms = clock.Elapsed.TotalMilliseconds;
        await WaitFor(client, jobId, "final");
        return ms;
    }

    public static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>models/base/tiny (1 layer, n_embd 16, real GPT-2 tokenizer), data/train.csv (2,000 rows), data/small.csv (40).</summary>
    public static void PrepareFolders(string root, string repo)
    {
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var config = new Gpt2Config { VocabSize = 50257, NPositions = 64, NEmbd = 16, NLayer = 1, NHead = 2 };
        HfModelFolder.CreateRandomFolder(Path.Combine(root, "models", "base", "tiny"), config, Path.Combine(repo, "models", "base", "tiny-gpt2"), 7);
        var csv = new StringBuilder("text\n");
        for (var i = 0; i < 2000; i++) csv.Append($"\"Fridge {i}: the compressor is noisy, check the fan and the frost.\"\n");
        File.WriteAllText(Path.Combine(root, "data", "train.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(root, "data", "small.csv"), string.Join("\n", csv.ToString().Split('\n').Take(41)) + "\n");
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }

    public static void DeleteQuietly(string root)
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
}
