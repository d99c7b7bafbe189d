// DPO step throughput of a GPT-2-124M-shaped model on CPU: 4 pairs × seq 256 (a 128-token prompt shared by a
// 128-token chosen and a 128-token rejected answer), exactly DpoTrainer's step: reference log-probs from a frozen
// copy (no graph), one policy forward+backward over the 8 rows, sigmoid loss β = 0.1, clip, AdamW.
// Prints one JSON line; bench/run-dpo-bench.sh puts it next to PyTorch eager (bench/dpo_bench_torch.py).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Preference;

// The last occurrence wins, as with Python's argparse: run-dpo-bench.sh puts its defaults before the caller's flags.
int Arg(string name, int fallback) =>
    Array.LastIndexOf(args, name) is var at && at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
var (pairs, seq, steps, warmup, layers) = (Arg("--pairs", 4), Arg("--seq", 256), Arg("--steps", 3), Arg("--warmup", 1), Arg("--layers", 12));

Runtime.EnsureLoaded();
Runtime.NumThreads = Arg("--threads", Environment.ProcessorCount);
// Dropout 0 on both sides so they do the same arithmetic.
var config = new Gpt2Config { NLayer = layers, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 };
using var policy = Gpt2Model.CreateRandom(config, 1, Device.Cpu);
using var frozen = Gpt2Model.CreateRandom(config, 1, Device.Cpu); // the frozen copy: same seed, same weights
using var reference = new FrozenModelReference(frozen, ownsModel: false, "frozen copy");
policy.Training = true;
var parameters = policy.NamedParameters.Sum(p => p.Parameter.NumEl);
using var optimizer = ParameterGroups.CreateOptimizer(policy, new TrainingOptions { LearningRate = 1e-6, WeightDecay = 0.1 }, out _);

var random = new Random(1);
int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => random.Next(config.VocabSize)).ToArray();
var promptLength = seq / 2;
TokenizedSequence Row(int[] prompt, int[] answer) =>
    new([.. prompt, .. answer], [.. prompt.Select(_ => TokenizedSequence.IgnoreIndex), .. answer]);
var batch = PreferenceBatch.Collate(Enumerable.Range(0, pairs).Select(i =>
{
    var prompt = Tokens(promptLength);
    return new TokenizedPair(Row(prompt, Tokens(seq - promptLength)), Row(prompt, Tokens(seq - promptLength)), i, new SourceLocation("bench"));
}).ToList(), 50256);
var dpo = new DpoOptions { Beta = 0.1 };

// Peak memory of the steps alone: after setup (two models, optimizer) the kernel's high-water mark is reset.
var setupRssMb = PeakRssMb();
File.WriteAllText("/proc/self/clear_refs", "5");
var times = new List<double>();
double loss = 0;
for (var i = 0; i < warmup + steps; i++)
{
    var clock = Stopwatch.StartNew();
    loss = OptimizerStep.Apply(optimizer, 1.0,
        () => DpoObjective.AccumulateGradients(policy, reference, [batch], dpo, new PreferenceMetrics(), CancellationToken.None), CancellationToken.None).Loss;
    if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
}
times.Sort();
// Python's statistics.median: the mean of the two middle steps for an even count, as the peer computes it.
var median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = "lft (C# + libtorch " + $"{Runtime.TorchVersion.Major}.{Runtime.TorchVersion.Minor})",
    threads = Runtime.NumThreads,
    parameters,
    pairs,
    seq,
    step_seconds_median = median,
    step_seconds = times,
    // The policy's tokens per step: chosen + rejected rows (the reference forward over them is extra work, not extra tokens).
    tokens_per_second = 2 * pairs * seq / median,
    final_loss = loss,
    setup_peak_rss_mb = setupRssMb,
    peak_rss_mb = PeakRssMb(), // during the steps
}));

static double PeakRssMb()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}
