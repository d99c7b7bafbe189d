using System.Diagnostics;
using System.Text.Json;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

// ModelBench: GPT-2-124M-shaped model (random weights) on the CPU through our binding.
//   dotnet run -c Release --project bench/ModelBench -- [--threads 2] [--repeats 3] [--eval-batch 1] [--eval-seq 256]
//                                                      [--prompt 32] [--new-tokens 32] [--layers 12]
//   dotnet run -c Release --project bench/ModelBench -- create-random DIR [--layers 2 --embd 32 --heads 4]
// The same shapes and loops are in bench/model_bench_torch.py; bench/run-model-bench.sh runs both and prints ratios.
var options = BenchArgs.Parse(args);
var repoRoot = BenchArgs.FindRepoRoot();
var tokenizerDir = Path.Combine(repoRoot, "models", "base", "tiny-gpt2");
var config = new Gpt2Config { NLayer = options.Layers, NEmbd = options.Embd, NHead = options.Heads };

if (options.CreateRandomDir is { } dir)
{
    HfModelFolder.CreateRandomFolder(dir, config, tokenizerDir, seed: 1);
    Console.WriteLine($"wrote {dir}");
    return;
}

Runtime.NumThreads = options.Threads;
using var model = Gpt2Model.CreateRandom(config, seed: 1, Device.Cpu);
var generator = new TextGenerator(model, Tokenizer.FromFolder(tokenizerDir));
var random = new Random(0);
var evalIds = Enumerable.Range(0, options.EvalBatch * options.EvalSeq).Select(_ => (long)random.Next(config.VocabSize)).ToArray();
var prompt = Enumerable.Range(0, options.Prompt).Select(_ => random.Next(config.VocabSize)).ToArray();
var genOptions = new GenerationOptions { MaxNewTokens = options.NewTokens, StopOnEos = false };

double EvalOnce()
{
    using var scope = DisposeScope.Enter();
    using var noGrad = NoGradScope.Enter();
    var clock = Stopwatch.StartNew();
    var logits = model.Forward(Tensor.FromArray(evalIds, options.EvalBatch, options.EvalSeq));
    _ = logits.Select(0, 0).Select(0, 0).Select(0, 0).ToDouble(); // forces completion (CPU is synchronous anyway)
    return evalIds.Length / clock.Elapsed.TotalSeconds;
}

double GenerateOnce(bool cache)
{
    var clock = Stopwatch.StartNew();
    var result = generator.GenerateIds(prompt, genOptions with { UseKvCache = cache });
    return result.Ids.Count / clock.Elapsed.TotalSeconds;
}

EvalOnce(); GenerateOnce(true); // warm-up: first-call allocations and JIT
var report = new Dictionary<string, object>
{
    ["impl"] = "lft",
    ["threads"] = Runtime.NumThreads,
    ["eval_tok_s"] = BenchArgs.Median(Enumerable.Range(0, options.Repeats + 2).Select(_ => EvalOnce())),
    ["gen_cache_tok_s"] = BenchArgs.Median(Enumerable.Range(0, options.Repeats).Select(_ => GenerateOnce(true))),
    ["gen_nocache_tok_s"] = BenchArgs.Median(Enumerable.Range(0, options.Repeats).Select(_ => GenerateOnce(false))),
};
Console.WriteLine(JsonSerializer.Serialize(report));

internal sealed record BenchArgs(int Threads, int Repeats, int EvalBatch, int EvalSeq, int Prompt, int NewTokens,
    int Layers, int Embd, int Heads, string? CreateRandomDir)
{
    public static BenchArgs Parse(string[] args)
    {
        var named = new Dictionary<string, string>();
        string? createDir = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "create-random") createDir = args[++i];
            else if (args[i].StartsWith("--")) named[args[i][2..]] = args[++i];
            else throw new ArgumentException($"unexpected argument '{args[i]}'");
        }
        int Get(string key, int fallback) => named.TryGetValue(key, out var v) ? int.Parse(v) : fallback;
        return new BenchArgs(Get("threads", Environment.ProcessorCount), Get("repeats", 3), Get("eval-batch", 1), Get("eval-seq", 256),
            Get("prompt", 32), Get("new-tokens", 32), Get("layers", 12), Get("embd", 768), Get("heads", 12), createDir);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LocalFineTune.sln"))) return d.FullName;
        throw new InvalidOperationException("run from inside the repository");
    }
}
