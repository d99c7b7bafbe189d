using System.Diagnostics;
using System.Runtime.InteropServices;
using LocalFineTune.Torch;

namespace TorchBench;

/// <summary>
/// `--paired LIB`: loads bench/cpp's libblock_bench_peer.so (the C++ step, same ATen calls) into this process
/// and alternates one binding step with one C++ step, swapping which goes first each pair. Both share one
/// libtorch and one thread pool, and each pair runs within a few seconds, so the per-pair ratio shrugs off the
/// load swings that make separate-process medians on a shared machine move by tens of percent.
/// </summary>
internal static unsafe class Paired
{
    /// <summary>Minor page faults per timed step, binding and C++: fresh pages the allocator had to map and zero.</summary>
    public static (double Binding, double Cpp) FaultsPerStep { get; private set; }

    public static (List<double> Binding, List<double> Cpp, List<double> Ratios, double CppLoss) Time(Options o, int warmup, string library)
    {
        var lib = NativeLibrary.Load(library);
        var create = (delegate* unmanaged<long, long, long, long, ulong, IntPtr>)NativeLibrary.GetExport(lib, "block_bench_new");
        var step = (delegate* unmanaged<IntPtr, double>)NativeLibrary.GetExport(lib, "block_bench_step");
        var free = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, "block_bench_free");

        var peer = create(o.Batch, o.Seq, o.Dim, o.Heads, 1234);
        using var block = new Block(o.Dim, o.Heads) { InnerScope = o.InnerScope };
        using var opt = new AdamW([new ParamGroup(block.Decayed, 3e-4, 0.1), new ParamGroup(block.NotDecayed, 3e-4)]);
        var x = DisposeScope.Detach(Tensor.Randn([o.Batch, o.Seq, o.Dim]));
        List<double> bindingMs = [], cppMs = [], ratios = [];
        var cppLoss = double.NaN;
        long bindingFaults = 0, cppFaults = 0;
        try
        {
            for (var i = 0; i < warmup + o.Steps; i++)
            {
                double b, c;
                long fb, fc;
                if (i % 2 == 0) { (b, fb) = Faults(() => BindingStep(block, opt, x)); (c, fc) = Faults(() => CppStep(step, peer, ref cppLoss)); }
                else { (c, fc) = Faults(() => CppStep(step, peer, ref cppLoss)); (b, fb) = Faults(() => BindingStep(block, opt, x)); }
                if (i < warmup) continue;
                bindingFaults += fb;
                cppFaults += fc;
                bindingMs.Add(b);
                cppMs.Add(c);
                ratios.Add(b / c);
            }
        }
        finally
        {
            x.Dispose();
            free(peer);
        }
        FaultsPerStep = ((double)bindingFaults / o.Steps, (double)cppFaults / o.Steps);
        return (bindingMs, cppMs, ratios, cppLoss);
    }

    private delegate double StepFn();

    private static (double Ms, long Faults) Faults(StepFn fn)
    {
        var before = MinorFaults();
        var ms = fn();
        return (ms, MinorFaults() - before);
    }

    /// <summary>Field 10 of /proc/self/stat (after the parenthesised command name, which may hold spaces).</summary>
    private static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]);
    }

    private static double BindingStep(Block block, AdamW opt, Tensor x)
    {
        var watch = Stopwatch.StartNew();
        using (DisposeScope.Enter())
        {
            var y = block.Forward(x);
            y.Mul(y).Mean().Backward();
            opt.Step();
            opt.ZeroGrad();
        }
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double CppStep(delegate* unmanaged<IntPtr, double> step, IntPtr peer, ref double loss)
    {
        var watch = Stopwatch.StartNew();
        loss = step(peer); // the C++ step reads its loss (one tiny sync); the binding step skips it, in C#'s favour by microseconds
        return watch.Elapsed.TotalMilliseconds;
    }
}
