using System.Text.Json;
using System.Text.Json.Nodes;

namespace TorchBench;

/// <summary>
/// `TorchBench summarize RESULTS.jsonl [OUT.json]`: reads the JSON lines that bench/run-torch-bench.sh
/// collected (each run tagged with "round" and "kind"), and prints the binding-vs-C++ table. For separate
/// processes: pooled medians per side and the median of per-round ratios (a round's two runs sit next to each
/// other in time). For the paired runs: the median of per-pair ratios, the figure least moved by load.
/// </summary>
internal static class Summary
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: TorchBench summarize RESULTS.jsonl [OUT.json]"); return 2; }
        var runs = File.ReadLines(args[0]).Where(l => l.TrimStart().StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var full = runs.Where(r => (string?)r["kind"] == "full").ToList();
        var probe = runs.Where(r => (string?)r["kind"] == "probe").ToList();
        var paired = runs.Where(r => (string?)r["kind"] == "paired").ToList();
        var pairedInner = runs.Where(r => (string?)r["kind"] == "paired-inner-scope").ToList();

        var result = new JsonObject
        {
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            ["threads"] = full.FirstOrDefault()?["threads"]?.GetValue<int>(),
            ["torch"] = (string?)full.FirstOrDefault()?["torch"],
            ["rounds"] = full.Select(r => (int)r["round"]!).Distinct().Count(),
            ["openblas_loaded"] = full.Where(Binding).Select(r => (bool?)r["openblas_loaded"]).FirstOrDefault(),
            ["blas_warning"] = full.Where(Binding).Select(r => (string?)r["blas_warning"]).FirstOrDefault(),
            ["first_loss_binding"] = full.Where(Binding).Select(r => (double?)r["first_loss"]).FirstOrDefault(),
            ["first_loss_cpp"] = full.Where(r => !Binding(r)).Select(r => (double?)r["first_loss"]).FirstOrDefault(),
        };
        foreach (var key in new[] { "matmul_1024_gflops", "matmul_2048_gflops" })
            result[key] = Compare(full, r => [(double)r[key]!], higherIsBetter: true);
        result["block_step_ms"] = Compare(full, Steps, higherIsBetter: false);
        result["block_cpu_ms_per_step"] = Compare(full, r => [(double)r["cpu_ms_per_step"]!], higherIsBetter: false);
        result["block_gflops"] = Compare(full, r => [(double)r["block_gflops"]!], higherIsBetter: true);
        if (paired.Count > 0) result["paired_block_step"] = PairedFigures(paired);
        if (pairedInner.Count > 0) result["paired_block_step_inner_scope"] = PairedFigures(pairedInner);
        if (probe.Count > 0)
        {
            var p = Compare(probe, Steps, higherIsBetter: false);
            result["probe_shape_btdh"] = probe[0]["shape"]!.DeepClone();
            result["probe_step_ms"] = p;
            // What the binding adds per step, in absolute time, measured where compute is negligible;
            // as a share of the full-size C++ step it bounds the overhead far more tightly than the noisy full-size ratio.
            var addedMs = (double)p["binding"]! - (double)p["cpp"]!;
            result["probe_binding_added_ms_per_step"] = addedMs;
            result["overhead_bound_pct_from_probe"] = 100 * addedMs / (double)result["block_step_ms"]!["cpp"]!;
        }

        Print(result);
        if (args.Length > 1) File.WriteAllText(args[1], result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return 0;
    }

    /// <summary>Same-process alternation (TorchBench --paired): pooled medians and the median of all per-pair ratios.</summary>
    private static JsonObject PairedFigures(List<JsonObject> runs)
    {
        List<double> All(string key) => runs.SelectMany(r => r[key]!.AsArray().Select(v => (double)v!)).ToList();
        var ratio = Stats.Median(All("paired_ratios"));
        return new JsonObject
        {
            ["binding"] = Stats.Median(All("paired_binding_ms")),
            ["cpp"] = Stats.Median(All("paired_cpp_ms")),
            ["pairs"] = All("paired_ratios").Count,
            ["ratio_binding_over_cpp"] = ratio,
            ["overhead_pct"] = 100 * (ratio - 1),
            ["minor_faults_per_step_binding"] = runs.Average(r => (double)r["paired_minor_faults_per_step_binding"]!),
            ["minor_faults_per_step_cpp"] = runs.Average(r => (double)r["paired_minor_faults_per_step_cpp"]!),
        };
    }

    private static bool Binding(JsonObject r) => (string?)r["impl"] == "binding";

    private static double[] Steps(JsonObject r) => r["block_step_ms"]!.AsArray().Select(v => (double)v!).ToArray();

    /// <summary>Pooled medians per side, the median per-round ratio binding/C++, and overhead % (positive = binding slower).</summary>
    private static JsonObject Compare(List<JsonObject> runs, Func<JsonObject, double[]> values, bool higherIsBetter)
    {
        double Pooled(bool binding) => Stats.Median(runs.Where(r => Binding(r) == binding).SelectMany(values).ToList());
        var ratios = runs.GroupBy(r => (int)r["round"]!)
            .Where(g => g.Any(Binding) && g.Any(r => !Binding(r)))
            .Select(g => Stats.Median(g.Where(Binding).SelectMany(values).ToList()) /
                         Stats.Median(g.Where(r => !Binding(r)).SelectMany(values).ToList()))
            .ToList();
        var ratio = Stats.Median(ratios);
        return new JsonObject
        {
            ["binding"] = Pooled(true),
            ["cpp"] = Pooled(false),
            ["ratio_binding_over_cpp"] = ratio,
            ["round_ratios"] = new JsonArray(ratios.Select(x => (JsonNode)JsonValue.Create(Math.Round(x, 4))).ToArray()),
            ["overhead_pct"] = 100 * (higherIsBetter ? 1 / ratio - 1 : ratio - 1),
        };
    }

    private static void Print(JsonObject r)
    {
        Console.WriteLine($"Torch binding benchmark — libtorch {r["torch"]}, {r["threads"]} threads, {r["rounds"]} interleaved rounds, {r["machine"]}");
        Console.WriteLine($"{"measure",-34} {"binding",10} {"C++",10} {"bind/C++",9} {"overhead",9}");
        Row(r, "matmul 1024² (GFLOP/s)", "matmul_1024_gflops");
        Row(r, "matmul 2048² (GFLOP/s)", "matmul_2048_gflops");
        Row(r, "block step, wall (ms, median)", "block_step_ms");
        Row(r, "block step, CPU time (ms)", "block_cpu_ms_per_step");
        Row(r, "block (GFLOP/s, from median)", "block_gflops");
        if (r["paired_block_step"] is not null)
            Row(r, $"block step, paired ×{r["paired_block_step"]!["pairs"]} (ms)", "paired_block_step");
        if (r["paired_block_step_inner_scope"] is not null)
            Row(r, $"  same, forward in inner scope ×{r["paired_block_step_inner_scope"]!["pairs"]}", "paired_block_step_inner_scope");
        foreach (var key in new[] { "paired_block_step", "paired_block_step_inner_scope" })
            if (r[key] is { } p)
                Console.WriteLine($"  {key}: minor page faults per step binding {(double)p["minor_faults_per_step_binding"]!:F0}, C++ {(double)p["minor_faults_per_step_cpp"]!:F0}");
        if (r["probe_step_ms"] is not null)
        {
            Row(r, $"probe step {r["probe_shape_btdh"]!.ToJsonString()} (ms)", "probe_step_ms");
            Console.WriteLine($"binding cost per step (probe): {(double)r["probe_binding_added_ms_per_step"]!:F3} ms " +
                              $"= {(double)r["overhead_bound_pct_from_probe"]!:F3}% of the full-size C++ step");
        }
        Console.WriteLine($"first-step loss: binding {r["first_loss_binding"]}, C++ {r["first_loss_cpp"]} (same seeded values, so they should agree)");
        Console.WriteLine($"BlasCheck: OpenBLAS loaded = {r["openblas_loaded"]}; {(string?)r["blas_warning"] ?? "no warning"}");
        Console.WriteLine("overhead = binding/C++ − 1 for times (C++/binding − 1 for rates); positive means the binding is slower.");
    }

    private static void Row(JsonObject r, string label, string key)
    {
        var c = r[key]!;
        Console.WriteLine($"{label,-34} {(double)c["binding"]!,10:F2} {(double)c["cpp"]!,10:F2} {(double)c["ratio_binding_over_cpp"]!,9:F4} {(double)c["overhead_pct"]!,8:F2}%");
    }
}
