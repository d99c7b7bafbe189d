// Llama-1B-shaped model (TinyLlama-1.1B: vocab 32000, hidden 2048, 22 layers, 32 heads / 4 kv heads, intermediate
// 5632; random weights) on the CPU through the product's path: the random folder is written once as an HF folder
// (config.json model_type "llama") and loaded with HfModelFolder.Load, so the model is our DecoderModel.
//   --mode train: full fine-tuning steps (forward, LanguageModelLoss, backward, clip 1.0, AdamW over every parameter:
//                 the trainer's OptimizerStep), batch 1 × seq 256 by default; tokens/s and peak RSS per phase.
//   --mode infer: eval (forward + loss, no grad) tokens/s and greedy KV-cache generation tokens/s (TextGenerator).
// One process per mode, as peak RSS is per process. Prints one JSON line; bench/run-llama-bench.sh puts it next to
// the PyTorch eager peer (bench/llama_bench_torch.py), which reads the same folder, so the first losses must agree.
using System.Text.Json;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

var options = LlamaBenchArgs.Parse(args);
Runtime.EnsureLoaded();
Runtime.NumThreads = options.Threads;
var tokenizerDir = TokenizerCut.EnsureExists(Path.Combine(options.RepoRoot, "models", "base", "tiny-gpt2"),
    Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Dir))!, "tokenizer-32k"));
var createSeconds = BaseFolder.EnsureExists(options.Dir, ModelConfig.FromJson(LlamaShape.Config(options.Layers)), tokenizerDir);
var clock = System.Diagnostics.Stopwatch.StartNew();
using var loaded = HfModelFolder.Load(options.Dir, Device.Cpu);
var loadSeconds = clock.Elapsed.TotalSeconds;
var common = new Dictionary<string, object?>
{
    ["impl"] = $"lft (C# + libtorch {Runtime.TorchVersion.Major}.{Runtime.TorchVersion.Minor})",
    ["mode"] = options.Mode,
    ["threads"] = Runtime.NumThreads,
    ["layers"] = options.Layers,
    ["parameters"] = loaded.Model.NamedParameters.Sum(p => p.Parameter.NumEl),
    ["create_seconds"] = createSeconds,
    ["load_seconds"] = loadSeconds,
};
var report = options.Mode switch
{
    "train" => TrainRun.Measure(loaded.Model, options),
    "infer" => InferRun.Measure(loaded, options),
    _ => throw new ArgumentException($"--mode must be train or infer, not '{options.Mode}'."),
};
Console.WriteLine(JsonSerializer.Serialize(common.Concat(report).ToDictionary()));

internal sealed record LlamaBenchArgs(string Mode, int Layers, int Batch, int Seq, int Steps, int Warmup, int Repeats,
    int Prompt, int NewTokens, int Threads, string Dir, string RepoRoot)
{
    public static LlamaBenchArgs Parse(string[] args)
    {
        var named = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 == args.Length)
                throw new ArgumentException($"expected --name value pairs, got '{args[i]}'.");
            named[args[i][2..]] = args[++i];
        }
        int Get(string key, int fallback) => named.TryGetValue(key, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        var layers = Get("layers", 22);
        return new LlamaBenchArgs(named.GetValueOrDefault("mode", "train"), layers, Get("batch", 1), Get("seq", 256),
            Get("steps", 2), Get("warmup", 1), Get("repeats", 3), Get("prompt", 32), Get("new-tokens", 32),
            Get("threads", Environment.ProcessorCount), named.GetValueOrDefault("dir", $"/tmp/lft-llamabench/llama-{layers}l"), FindRepoRoot());
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LocalFineTune.sln"))) return d.FullName;
        throw new InvalidOperationException("run LlamaBench from its build folder inside the repository (it reads models/base/tiny-gpt2).");
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }
}
