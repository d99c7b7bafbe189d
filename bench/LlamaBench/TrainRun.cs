using System.Diagnostics;
using LocalFineTune.Models;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

/// <summary>Full fine-tuning steps, timed, with the RSS peak of forward + backward and of clip + AdamW read apart.</summary>
static class TrainRun
{
    // TrainBench's settings, mirrored by the python peer: decay 0.1 on matrices, none on the RMSNorm gains.
    private static readonly TrainingOptions Options = new() { LearningRate = 1e-4, WeightDecay = 0.1, MaxGradNorm = 1.0 };

    public static Dictionary<string, object?> Measure(ICausalLanguageModel model, LlamaBenchArgs a)
    {
        model.Training = true;
        using var optimizer = ParameterGroups.CreateOptimizer(model, Options, out _);
        var ids = BenchIds.Make(a.Batch * a.Seq, model.VocabSize);
        var sequences = Enumerable.Range(0, a.Batch).Select(b => ids[(b * a.Seq)..((b + 1) * a.Seq)]).Select(s => new TokenizedSequence(s, s)).ToList();
        var micro = new[] { Batch.Collate(sequences, 0) };
        var targets = micro.Sum(b => b.TargetCount);

        var setupRssMb = Memory.RssMb();
        List<double> times = [], cpuTimes = [], passPeaks = [], optimizerPeaks = [], losses = [];
        var peakMb = 0.0;
        for (var i = 0; i < a.Warmup + a.Steps; i++)
        {
            var before = Memory.RssMb();
            var resetPeak = Memory.ResetPeak();
            var passPeak = 0.0;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            // OptimizerStep.Run is Apply(AccumulateGradients): the same two calls, written out so the forward + backward
            // peak can be read (and the peak reset) before clip + AdamW run.
            var (loss, _) = OptimizerStep.Apply(optimizer, Options.MaxGradNorm, () =>
            {
                var l = OptimizerStep.AccumulateGradients(model, micro, targets, CancellationToken.None);
                passPeak = Memory.PeakRssMb();
                Memory.ResetPeak();
                return l;
            }, CancellationToken.None);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var stepPeak = Math.Max(passPeak, Memory.PeakRssMb());
            losses.Add(loss);
            Console.Error.WriteLine($"ours step {i}: {seconds:F2} s, loss {loss:F6}, peak RSS {stepPeak:F0} MB");
            if (i < a.Warmup) continue;
            times.Add(seconds);
            cpuTimes.Add(cpuSeconds);
            if (resetPeak)
            {
                passPeaks.Add(passPeak - before);
                optimizerPeaks.Add(Memory.PeakRssMb() - before);
            }
            peakMb = Math.Max(peakMb, resetPeak ? stepPeak : Memory.PeakRssMb());
        }
        var median = LlamaBenchArgs.Median(times);
        return new()
        {
            ["batch"] = a.Batch,
            ["seq"] = a.Seq,
            ["step_seconds_median"] = median,
            ["step_seconds"] = times,
            ["tokens_per_second"] = a.Batch * a.Seq / median,
            ["tokens_per_second_best"] = a.Batch * a.Seq / times.Min(), // on a shared machine, load only ever adds time
            // CPU time of all threads (user + sys): contention from other processes adds wall time, hardly CPU time.
            ["cpu_seconds_per_step"] = LlamaBenchArgs.Median(cpuTimes),
            ["losses"] = losses,
            ["setup_rss_mb"] = setupRssMb,
            ["peak_rss_mb"] = peakMb, // over the timed steps when the peak could be reset per step, else over the process
            ["pass_peak_over_start_mb"] = passPeaks.Count > 0 ? LlamaBenchArgs.Median(passPeaks) : null,
            ["optimizer_peak_over_start_mb"] = optimizerPeaks.Count > 0 ? LlamaBenchArgs.Median(optimizerPeaks) : null,
        };
    }
}
