// TorchBench: what the C# binding costs on top of libtorch. Prints one JSON object on stdout (and a human
// summary on stderr); bench/run-torch-bench.sh runs it alternately with bench/cpp's block_bench, then
// `TorchBench summarize` (Summary.cs) turns the collected lines into the comparison table.
// Usage: TorchBench [--threads N] [--steps N] [--warmup N] [--matmul-reps N] [--only matmul|block]
//                   [--dim 768] [--heads 12] [--seq 256] [--batch 4] [--paired LIBBLOCK_BENCH_PEER.so]
// A tiny block (e.g. --dim 64 --heads 4 --seq 16 --batch 1) is a probe of per-call cost: there the compute
// is negligible, so binding minus C++ is what the binding adds to every step, whatever the size.
using System.Diagnostics;
using System.Text.Json;
using LocalFineTune.Torch;
using TorchBench;

if (args is ["summarize", .. var rest]) return Summary.Run(rest);

var opts = Options.Parse(args);
Runtime.EnsureLoaded();
Runtime.NumThreads = opts.Threads;
Runtime.ManualSeed(1234);

var result = new Dictionary<string, object?>
{
    ["impl"] = "binding",
    ["threads"] = Runtime.NumThreads,
    ["torch"] = $"{Runtime.TorchVersion.Major}.{Runtime.TorchVersion.Minor}",
};

if (opts.Only is null or "matmul")
{
    foreach (var n in new[] { 1024, 2048 })
        result[$"matmul_{n}_gflops"] = Matmul.Gflops(n, opts.MatmulReps);
    var blas = BlasCheck.Run();
    result["openblas_loaded"] = blas.OpenBlasLoaded;
    result["blas_warning"] = blas.Warning;
}

if (opts.PairedLibrary is not null)
{
    Runtime.ManualSeed(1234);
    var (b, c, ratios, _) = Paired.Time(opts, Math.Max(opts.Warmup, 1), opts.PairedLibrary);
    result["shape"] = new[] { opts.Batch, opts.Seq, opts.Dim, opts.Heads };
    result["paired_binding_ms"] = b;
    result["paired_cpp_ms"] = c;
    result["paired_ratios"] = ratios;
    result["paired_ratio_median"] = Stats.Median(ratios);
    result["paired_minor_faults_per_step_binding"] = Paired.FaultsPerStep.Binding;
    result["paired_minor_faults_per_step_cpp"] = Paired.FaultsPerStep.Cpp;
}
else if (opts.Only is null or "block")
{
    Runtime.ManualSeed(1234); // the matmul part drew values too: start the block from the same seed as block_bench
    var times = BlockStep.Time(opts, Math.Max(opts.Warmup, 1));
    result["shape"] = new[] { opts.Batch, opts.Seq, opts.Dim, opts.Heads };
    result["block_step_ms"] = times;
    result["block_step_ms_median"] = Stats.Median(times);
    result["block_gflop_per_step"] = BlockStep.GflopPerStep(opts);
    result["block_gflops"] = BlockStep.GflopPerStep(opts) / (Stats.Median(times) / 1000);
    result["cpu_ms_per_step"] = BlockStep.CpuMsPerStep;
    result["first_loss"] = BlockStep.FirstLoss;
    result["live_tensors_after"] = Tensor.LiveCount;
}

Console.WriteLine(JsonSerializer.Serialize(result));
Console.Error.WriteLine(string.Join("  ", result.Where(kv => kv.Value is not List<double>).Select(kv => $"{kv.Key}={Fmt(kv.Value)}")));
return 0;

static string Fmt(object? v) => v is double d ? d.ToString("F2") : v?.ToString() ?? "null";

internal sealed record Options(int Threads, int Steps, int Warmup, int MatmulReps, string? Only,
    long Dim = 768, long Heads = 12, long Seq = 256, long Batch = 4, string? PairedLibrary = null, bool InnerScope = false)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(Environment.ProcessorCount, 10, 3, 10, null);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i++] switch
            {
                "--threads" => o with { Threads = int.Parse(value) },
                "--steps" => o with { Steps = int.Parse(value) },
                "--warmup" => o with { Warmup = int.Parse(value) },
                "--matmul-reps" => o with { MatmulReps = int.Parse(value) },
                "--only" => o with { Only = value },
                "--dim" => o with { Dim = long.Parse(value) },
                "--heads" => o with { Heads = long.Parse(value) },
                "--seq" => o with { Seq = long.Parse(value) },
                "--batch" => o with { Batch = long.Parse(value) },
                "--inner-scope" => o with { InnerScope = bool.Parse(value) },
                "--paired" => o with { PairedLibrary = Path.GetFullPath(value), Only = "block" },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }
        return o;
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

internal static class Matmul
{
    /// <summary>n×n float32 matmul through Tensor.MatMul, median of reps after one warm-up.</summary>
    public static double Gflops(int n, int reps)
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Randn([n, n]);
        var b = Tensor.Randn([n, n]);
        a.MatMul(b).Dispose();
        var seconds = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var watch = Stopwatch.StartNew();
            a.MatMul(b).Dispose();
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / Stats.Median(seconds) / 1e9;
    }
}

internal static class BlockStep
{
    /// <summary>
    /// Matmul FLOPs only (elementwise work is small beside them): forward = 2·tokens·D·(3D + D + 4D + 4D) for
    /// the four projections plus 4·B·T²·D for q·kᵀ and p·v (1.13's SDPA computes the full square); the
    /// backward pass costs twice the forward.
    /// </summary>
    public static double GflopPerStep(Options o)
    {
        double d = o.Dim, tokens = o.Batch * o.Seq;
        var forward = 2 * tokens * d * (12 * d) + 4.0 * o.Batch * o.Seq * o.Seq * d;
        return 3 * forward / 1e9;
    }

    /// <summary>Process CPU time per timed step (all threads): less disturbed than wall time when the machine is shared.</summary>
    public static double CpuMsPerStep { get; private set; }

    /// <summary>Milliseconds per step: forward, backward, AdamW step, zero_grad, all inside one DisposeScope.</summary>
    /// <summary>Loss of the first (warm-up) step; equals block_bench's when both draw the same seeded values.</summary>
    public static double FirstLoss { get; private set; } = double.NaN;

    public static List<double> Time(Options o, int warmup)
    {
        var steps = o.Steps;
        using var block = new Block(o.Dim, o.Heads) { InnerScope = o.InnerScope };
        using var opt = new AdamW([new ParamGroup(block.Decayed, 3e-4, 0.1), new ParamGroup(block.NotDecayed, 3e-4)]);
        var x = DisposeScope.Detach(Tensor.Randn([o.Batch, o.Seq, o.Dim]));
        var times = new List<double>();
        var cpuStart = TimeSpan.Zero;
        for (var i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            using (DisposeScope.Enter())
            {
                var y = block.Forward(x);
                var loss = y.Mul(y).Mean();
                loss.Backward();
                if (i == 0) FirstLoss = loss.ToDouble();
                opt.Step();
                opt.ZeroGrad();
            }
            if (i >= warmup) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        CpuMsPerStep = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / steps;
        x.Dispose();
        return times;
    }
}
