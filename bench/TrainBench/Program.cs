// Full fine-tune step throughput of a GPT-2-124M-shaped model on CPU: batch 8 × seq 256, AdamW, clipping,
// exactly the trainer's OptimizerStep. Prints one JSON line; bench/run-train-bench.sh puts it next to PyTorch eager.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

int Arg(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var (batch, seq, steps, warmup, layers) = (Arg("--batch", 8), Arg("--seq", 256), Arg("--steps", 5), Arg("--warmup", 1), Arg("--layers", 12));

Runtime.EnsureLoaded();
// libtorch 1.13 here starts with 1 intra-op thread; both sides use --threads (default: all cores) for a fair comparison.
Runtime.NumThreads = Arg("--threads", Environment.ProcessorCount);
var matmulGflops = MatmulGflops(2048, 5);
// Dropout 0 in both implementations so they do the same arithmetic (PyTorch side: bench/train_bench_torch.py).
var config = new Gpt2Config { NLayer = layers, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 };
using var model = Gpt2Model.CreateRandom(config, 1, Device.Cpu);
model.Training = true;
var parameters = model.NamedParameters.Sum(p => p.Parameter.NumEl);
using var optimizer = ParameterGroups.CreateOptimizer(model, new TrainingOptions { LearningRate = 1e-4, WeightDecay = 0.1 }, out _);

var random = new Random(1);
var sequences = Enumerable.Range(0, batch)
    .Select(_ => Enumerable.Range(0, seq).Select(_ => random.Next(config.VocabSize)).ToArray())
    .Select(ids => new TokenizedSequence(ids, ids)).ToList();
var micro = new[] { Batch.Collate(sequences, 50256) };

var times = new List<double>();
double loss = 0;
for (var i = 0; i < warmup + steps; i++)
{
    var clock = Stopwatch.StartNew();
    loss = OptimizerStep.Run(model, optimizer, micro, 1.0, CancellationToken.None).Loss;
    if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
}
times.Sort();
var median = times[times.Count / 2];
var tokensPerSecond = batch * seq / median;
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = "lft (C# + libtorch " + $"{Runtime.TorchVersion.Major}.{Runtime.TorchVersion.Minor})",
    threads = Runtime.NumThreads,
    parameters,
    batch,
    seq,
    step_seconds_median = median,
    step_seconds = times,
    tokens_per_second = tokensPerSecond,
    matmul_gflops = matmulGflops,
    mfu = 6.0 * parameters * tokensPerSecond / (matmulGflops * 1e9),
    final_loss = loss,
    peak_rss_mb = PeakRssMb(),
}));

static double MatmulGflops(int n, int repeats)
{
    using var scope = DisposeScope.Enter();
    var a = Tensor.Randn([n, n]);
    var b = Tensor.Randn([n, n]);
    a.MatMul(b).Dispose(); // warm-up
    var best = double.MaxValue;
    for (var i = 0; i < repeats; i++)
    {
        var clock = Stopwatch.StartNew();
        a.MatMul(b).Dispose();
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }
    return 2.0 * n * n * n / best / 1e9;
}

static double PeakRssMb()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}
