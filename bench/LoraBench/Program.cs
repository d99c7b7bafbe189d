// LoRA fine-tuning step on a phi-2-shaped model (random weights), CPU: the trainer's step (forward, LanguageModelLoss,
// backward, clip, AdamW over model.TrainableParameters = the adapters only) on batch 4 × seq 256 by default, LoRA r 16,
// alpha 32, dropout 0 on all linear layers. One process per mode, as peak RSS is per process: run it with
// --checkpoint 0 and 1. The random base is written once as an HF folder (--dir, reused when it exists) and loaded with
// AdapterFolders.LoadWithNewAdapter, as a LoRA job loads its base. Prints one JSON line; bench/run-lora-bench.sh puts
// it next to the PyTorch eager peer (bench/lora_bench_torch.py), which reads the same folder.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

string Text(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
int Arg(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var (batch, seq, steps, warmup, layers, rank) = (Arg("--batch", 4), Arg("--seq", 256), Arg("--steps", 2), Arg("--warmup", 1), Arg("--layers", 32), Arg("--r", 16));
var checkpoint = Arg("--checkpoint", 0) != 0;
var dir = Text("--dir", $"/tmp/lft-lorabench/phi-{layers}l");
var tokenizerDir = Text("--tokenizer", "models/base/tiny-gpt2");

Runtime.EnsureLoaded();
Runtime.NumThreads = Arg("--threads", Environment.ProcessorCount);
var createSeconds = BaseFolder.EnsureExists(dir, ModelConfig.FromJson(PhiShape.Config(layers)), tokenizerDir);
var clock = Stopwatch.StartNew();
var settings = new LoraSettings { R = rank, Alpha = 2 * rank, Dropout = 0, TargetModules = [LoraSettings.AllLinear] };
using var loaded = AdapterFolders.LoadWithNewAdapter(dir, settings, Device.Cpu);
var loadSeconds = clock.Elapsed.TotalSeconds;
var model = (DecoderModel)loaded.Model;
model.Training = true;
model.GradientCheckpointing = checkpoint;
var options = new TrainingOptions { Method = TrainingMethod.Lora, WeightDecay = 0.0, MaxGradNorm = 1.0 };
using var optimizer = ParameterGroups.CreateOptimizer(model, options, out _);

var ids = BenchIds.Make(batch * seq, model.VocabSize);
var sequences = Enumerable.Range(0, batch).Select(b => ids[(b * seq)..((b + 1) * seq)]).Select(s => new TokenizedSequence(s, s)).ToList();
var micro = new[] { Batch.Collate(sequences, 0) };
var targets = micro.Sum(b => b.TargetCount);

var setupRssMb = Memory.RssMb();
var times = new List<double>();
var passPeaksMb = new List<double>();
var losses = new List<double>();
var peakMb = 0.0;
for (var i = 0; i < warmup + steps; i++)
{
    var before = Memory.RssMb();
    var resetPeak = Memory.ResetPeak();
    clock.Restart();
    // OptimizerStep.Apply is the trainer's step (clip, AdamW, zero_grad); the backward callback is the trainer's
    // AccumulateGradients, with the forward + backward peak read before the optimizer runs.
    var (loss, _) = OptimizerStep.Apply(optimizer, options.MaxGradNorm, () =>
    {
        var l = OptimizerStep.AccumulateGradients(model, micro, targets, CancellationToken.None);
        if (resetPeak && i >= warmup) passPeaksMb.Add(Memory.PeakRssMb() - before);
        return l;
    }, CancellationToken.None);
    var seconds = clock.Elapsed.TotalSeconds;
    losses.Add(loss);
    Console.Error.WriteLine($"ours step {i}: {seconds:F1} s, loss {loss:F6}, peak RSS {Memory.PeakRssMb():F0} MB");
    if (i < warmup) continue;
    times.Add(seconds);
    peakMb = Math.Max(peakMb, Memory.PeakRssMb());
}
var trainable = model.TrainableParameters.Sum(p => p.Parameter.NumEl);
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = $"lft (C# + libtorch {Runtime.TorchVersion.Major}.{Runtime.TorchVersion.Minor})",
    checkpoint,
    threads = Runtime.NumThreads,
    layers,
    batch,
    seq,
    r = rank,
    base_parameters = model.NamedParameters.Sum(p => p.Parameter.NumEl),
    trainable_parameters = trainable,
    adapters = loaded.Lora!.Adapters.Count,
    create_seconds = createSeconds,
    load_seconds = loadSeconds,
    step_seconds_median = Median(times),
    step_seconds = times,
    tokens_per_second = batch * seq / Median(times),
    losses,
    setup_rss_mb = setupRssMb,
    peak_rss_mb = peakMb, // over the timed steps when the peak could be reset per step, else over the process
    pass_peak_over_start_mb = passPeaksMb.Count > 0 ? Median(passPeaksMb) : (double?)null,
}));

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
}
