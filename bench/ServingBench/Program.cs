// ServingBench: what the model cache changes for a client. Two servers in one process run, one after the other, on
// the same folders: cache off (ModelCacheBytes=0, a model read per request, the behaviour before the cache) and cache
// on (default budget). Each sends the same requests through HTTP on loopback and reports the first request's latency
// (which includes reading the model) and the median of the warm ones.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;
using LocalFineTune.Server;
using LocalFineTune.Server.Inference;
using LocalFineTune.Torch;
using Microsoft.Extensions.DependencyInjection;

var shape = Arg("--shape", "124m");
var rounds = int.Parse(Arg("--rounds", "10"));
var tokens = int.Parse(Arg("--tokens", "8"));
var repo = FindRepoRoot();
var root = Path.Combine(Path.GetTempPath(), "lft-serving-bench-" + Environment.ProcessId);
try
{
    var config = shape == "tiny"
        ? new Gpt2Config { VocabSize = 50257, NPositions = 1024, NEmbd = 64, NLayer = 2, NHead = 2 }
        : new Gpt2Config { VocabSize = 50257, NPositions = 1024, NEmbd = 768, NLayer = 12, NHead = 12 };
    var clock = Stopwatch.StartNew();
    PrepareFolders(root, repo, config);
    var weights = new FileInfo(Path.Combine(root, "models", "base", "base", "model.safetensors")).Length;
    Console.WriteLine($"ServingBench: {Environment.ProcessorCount} cores, GPT-2 shape n_embd {config.NEmbd}, {config.NLayer} layers, " +
        $"{weights / 1e6:0} MB of float32 weights; adapters r=16 all-linear; folders written in {clock.Elapsed.TotalSeconds:0} s (in the page cache)");
    Console.WriteLine($"Each request: prompt \"The fridge\", {tokens} new token(s), greedy. Latency = whole HTTP request, ms. Cache off and on are");
    Console.WriteLine($"two servers in this process, their requests alternated ({rounds} rounds, order swapped each round), so both see the same machine load.");
    Console.WriteLine();
    await using var off = await Server.StartAsync(root, 0, tokens);
    await using var on = await Server.StartAsync(root, null, tokens);
    // Compile the serving path once (JIT) on the cache-off server, which keeps nothing loaded afterwards.
    await off.Completion("base");
    await off.Generate("base");
    await off.Completion("ft-a");
    Console.WriteLine($"{"request",-38} {"off: every request",19} {"on: first",10} {"on: warm",9} {"off/on warm",12} {"loads off/on",13}");
    await Compare("/v1/completions base", s => s.Completion("base"));
    await Compare("/api/generate base", s => s.Generate("base"));
    await Compare("/v1/completions adapter-only ft-a", s => s.Completion("ft-a"));
    await Compare("/v1/completions adapter-only ft-b", s => s.Completion("ft-b"));
    var turn = new Dictionary<Server, int>();
    await Compare("/v1/completions ft-a, ft-b alternating", s =>
    {
        var i = turn[s] = turn.GetValueOrDefault(s) + 1;
        return s.Completion(i % 2 == 0 ? "ft-a" : "ft-b");
    });
    return 0;

    async Task Compare(string name, Func<Server, Task> request)
    {
        var (offLoads, onLoads) = (off.Cache.Stats.Loads, on.Cache.Stats.Loads);
        var first = await Time(on, request);
        List<double> offTimes = [], onTimes = [];
        for (var i = 0; i < rounds; i++)
        {
            if (i % 2 == 0) { offTimes.Add(await Time(off, request)); onTimes.Add(await Time(on, request)); }
            else { onTimes.Add(await Time(on, request)); offTimes.Add(await Time(off, request)); }
        }
        var (offMedian, onMedian) = (Median(offTimes), Median(onTimes));
        Console.WriteLine($"{name,-38} {offMedian,19:0} {first,10:0} {onMedian,9:0} {offMedian / onMedian,12:0.0} " +
            $"{$"{off.Cache.Stats.Loads - offLoads}/{on.Cache.Stats.Loads - onLoads}",13}");
    }
}
finally
{
    try { Directory.Delete(root, recursive: true); } catch (IOException) { }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static async Task<double> Time(Server server, Func<Server, Task> request)
{
    // With the cache off, a request that follows at once may still find the previous one's model: its run hands the
    // lease back on its own thread a moment after the answer. Wait (untimed) until nothing is held, so that every
    // request reads its model as before the cache.
    if (server.Cache.Stats.BudgetBytes == 0)
        while (server.Cache.Stats.Entries > 0) await Task.Delay(5);
    var start = Stopwatch.GetTimestamp();
    await request(server);
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

// A random base in HF layout and two LoRA fine-tunes of it saved with merge off (adapter/ only), with non-zero B so
// the adapters really change the output.
static void PrepareFolders(string root, string repo, Gpt2Config config)
{
    var baseDir = Path.Combine(root, "models", "base", "base");
    HfModelFolder.CreateRandomFolder(baseDir, config, Path.Combine(repo, "models", "base", "tiny-gpt2"), seed: 1);
    foreach (var (name, seed) in new[] { ("ft-a", 1), ("ft-b", 2) })
    {
        using var lora = AdapterFolders.LoadWithNewAdapter(baseDir, new LoraSettings { R = 16, Alpha = 32, Dropout = 0, Seed = (ulong)seed }, Device.Cpu);
        using (NoGradScope.Enter())
            foreach (var layer in lora.Lora!.Adapters) layer.B.UniformInPlace(-0.02, 0.02);
        AdapterFolders.SaveAdapterOnlyFolder(lora, Path.Combine(root, "models", "base", name));
    }
}

static string Arg(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) return dir.FullName;
    throw new InvalidOperationException("LocalFineTune.sln not found above the benchmark's binaries.");
}

/// <summary>One server on loopback over the bench's folders, with the given cache budget (null: the default).</summary>
sealed class Server : IAsyncDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;
    private readonly HttpClient _client;

    private readonly int _tokens;

    private Server(Microsoft.AspNetCore.Builder.WebApplication app, string url, int tokens)
    {
        _app = app;
        _tokens = tokens;
        _client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
    }

    public ModelCache Cache => _app.Services.GetRequiredService<ModelCache>();

    public static async Task<Server> StartAsync(string root, long? budget, int tokens)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        List<string> args = ["--urls", url, $"--LocalFineTune:ModelsRoot={root}/models", $"--LocalFineTune:DataRoot={root}",
            $"--LocalFineTune:StateFolder={root}/state-{budget?.ToString() ?? "default"}", "--LocalFineTune:Profile=memory",
            "--Logging:LogLevel:Default=Warning"];
        if (budget is { } bytes) args.Add($"--LocalFineTune:ModelCacheBytes={bytes}");
        var app = ServerApp.Build([.. args]);
        await app.StartAsync();
        return new Server(app, url, tokens);
    }

    public Task Completion(string model) =>
        Post("/v1/completions", new { model, prompt = "The fridge", max_tokens = _tokens, temperature = 0 });

    public Task Generate(string model) =>
        Post("/api/generate", new { model, prompt = "The fridge", max_new_tokens = _tokens, temperature = 0 });

    private async Task Post(string path, object body)
    {
        using var response = await _client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
