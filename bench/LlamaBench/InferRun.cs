using System.Diagnostics;
using LocalFineTune.Models;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

/// <summary>Eval (forward + mean next-token loss, no grad) and greedy generation with the KV cache, medians of repeats.</summary>
static class InferRun
{
    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public static Dictionary<string, object?> Measure(LoadedModel loaded, LlamaBenchArgs a)
    {
        var model = loaded.Model;
        model.Training = false;
        var evalIds = BenchIds.Make(a.Batch * a.Seq, model.VocabSize).Select(i => (long)i).ToArray();
        var prompt = BenchIds.Make(a.Prompt, model.VocabSize);
        var generator = new TextGenerator(model, loaded.Tokenizer);
        var options = new GenerationOptions { MaxNewTokens = a.NewTokens, StopOnEos = false, UseKvCache = true };

        double evalLoss = 0;
        List<double> evalCpu = [], generationCpu = [];
        double EvalOnce()
        {
            using var scope = DisposeScope.Enter();
            using var noGrad = NoGradScope.Enter();
            var (clock, cpu) = (Stopwatch.StartNew(), CpuSeconds());
            var ids = Tensor.FromArray(evalIds, a.Batch, a.Seq);
            evalLoss = LanguageModelLoss.Compute(model.Forward(ids), ids).ToDouble();
            evalCpu.Add(CpuSeconds() - cpu);
            return evalIds.Length / clock.Elapsed.TotalSeconds;
        }

        IReadOnlyList<int> generated = [];
        double GenerateOnce()
        {
            var (clock, cpu) = (Stopwatch.StartNew(), CpuSeconds());
            generated = generator.GenerateIds(prompt, options).Ids;
            generationCpu.Add(CpuSeconds() - cpu);
            return generated.Count / clock.Elapsed.TotalSeconds;
        }

        var setupRssMb = Memory.RssMb();
        var resetPeak = Memory.ResetPeak();
        EvalOnce(); GenerateOnce(); // warm-up: first-call allocations and JIT
        (evalCpu, generationCpu) = ([], []);
        var evals = Enumerable.Range(0, a.Repeats).Select(_ => EvalOnce()).ToList();
        var generations = Enumerable.Range(0, a.Repeats).Select(_ => GenerateOnce()).ToList();
        var (eval, generation) = (LlamaBenchArgs.Median(evals), LlamaBenchArgs.Median(generations));
        Console.Error.WriteLine($"ours eval {eval:F1} tok/s (loss {evalLoss:F6}), generation {generation:F2} tok/s");
        return new()
        {
            ["batch"] = a.Batch,
            ["seq"] = a.Seq,
            ["eval_tok_s"] = eval,
            ["eval_tok_s_best"] = evals.Max(),
            ["eval_cpu_seconds"] = LlamaBenchArgs.Median(evalCpu), // all threads, user + sys: hardly moved by others' load
            ["eval_loss"] = evalLoss,
            ["prompt"] = a.Prompt,
            ["new_tokens"] = a.NewTokens,
            ["gen_cache_tok_s"] = generation,
            ["gen_cache_tok_s_best"] = generations.Max(),
            ["gen_cpu_seconds"] = LlamaBenchArgs.Median(generationCpu),
            ["generated_ids"] = generated,
            ["setup_rss_mb"] = setupRssMb,
            ["peak_rss_mb"] = Memory.PeakRssMb(), // over eval + generation when the peak could be reset, else the process
            ["peak_reset"] = resetPeak,
        };
    }
}
