// Gradient checkpointing on a GPT-2-124M-shaped model, CPU: one process per mode (peak RSS is per process), so run
// it twice, --checkpoint 0 and 1. A full fine-tune step as the trainer runs it (OptimizerStep: forward, backward,
// clip, AdamW, as OptimizerStep.Run does it), batch 4 × seq 256 by default, dropout 0 as in the PyTorch peer (bench/checkpoint_bench_torch.py).
// Prints one JSON line; bench/run-checkpoint-bench.sh puts both modes next to PyTorch's torch.utils.checkpoint.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

// The last occurrence wins, as with Python's argparse, so the script's defaults can be overridden.
int Arg(string name, int fallback) =>
    Array.LastIndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
var (batch, seq, steps, warmup, layers) = (Arg("--batch", 4), Arg("--seq", 256), Arg("--steps", 3), Arg("--warmup", 1), Arg("--layers", 12));
var checkpoint = Arg("--checkpoint", 0) != 0;

Runtime.EnsureLoaded();
Runtime.NumThreads = Arg("--threads", Environment.ProcessorCount);
var config = new Gpt2Config { NLayer = layers, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 };
using var model = Gpt2Model.CreateRandom(config, 1, Device.Cpu);
model.Training = true;
model.GradientCheckpointing = checkpoint;
using var optimizer = ParameterGroups.CreateOptimizer(model, new TrainingOptions { LearningRate = 1e-4, WeightDecay = 0.1 }, out _);

var random = new Random(1);
var sequences = Enumerable.Range(0, batch)
    .Select(_ => Enumerable.Range(0, seq).Select(_ => random.Next(config.VocabSize)).ToArray())
    .Select(ids => new TokenizedSequence(ids, ids)).ToList();
var micro = new[] { Batch.Collate(sequences, 50256) };

var setupRssMb = Memory.RssMb();
var targets = micro.Sum(b => b.TargetCount);
var times = new List<double>();
var passPeaksMb = new List<double>();
var peakMb = 0.0;
double loss = 0;
for (var i = 0; i < warmup + steps; i++)
{
    // The trainer's OptimizerStep.Run, in two parts so that the forward + backward peak is seen on its own.
    var before = Memory.RssMb();
    var resetPeak = Memory.ResetPeak();
    var clock = Stopwatch.StartNew();
    using (DisposeScope.Enter())
    {
        loss = OptimizerStep.AccumulateGradients(model, micro, targets, CancellationToken.None);
        if (resetPeak && i >= warmup) passPeaksMb.Add(Memory.PeakRssMb() - before);
        GradClip.ClipGradNorm(optimizer.Parameters, 1.0);
        optimizer.Step();
        optimizer.ZeroGrad();
    }
    if (i < warmup) continue;
    times.Add(clock.Elapsed.TotalSeconds);
    peakMb = Math.Max(peakMb, Memory.PeakRssMb());
}
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = $"lft (C# + libtorch {Runtime.TorchVersion.Major}.{Runtime.TorchVersion.Minor})",
    checkpoint,
    threads = Runtime.NumThreads,
    parameters = model.NamedParameters.Sum(p => p.Parameter.NumEl),
    batch,
    seq,
    layers,
    step_seconds_median = Median(times),
    step_seconds = times,
    final_loss = loss,
    setup_rss_mb = setupRssMb,
    peak_rss_mb = peakMb, // over the timed steps when the peak could be reset per step, else over the process
    // Forward + backward only: activations and gradients above the RSS the step started from.
    pass_peak_over_start_mb = passPeaksMb.Count > 0 ? Median(passPeaksMb) : (double?)null,
}));

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
}
