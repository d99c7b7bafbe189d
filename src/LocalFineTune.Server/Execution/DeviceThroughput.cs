using System.Collections.Concurrent;
using System.Diagnostics;
using LocalFineTune.Torch;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// What a device's float32 matmul sustains, in FLOP/s, timed once per device per process through our binding (the same
/// kernels training uses) and cached: a few small matmuls, well under 0.3 s on the CPU even on the reference BLAS.
/// The first call for a GPU also pays for creating its CUDA context, which the job's training would pay anyway.
/// </summary>
public sealed class DeviceThroughput
{
    private readonly ConcurrentDictionary<string, Lazy<double>> _measured = new(StringComparer.OrdinalIgnoreCase);

    public double FlopsPerSecond(string device) => _measured.GetOrAdd(device, d => new Lazy<double>(() => Measure(d))).Value;

    private static double Measure(string name)
    {
        var device = Device.Parse(name);
        // 512² on the CPU is ~0.27 GFLOP a product (5 ms at 50 GFLOP/s, 40 ms on the reference BLAS); a GPU needs a
        // bigger product to be busy rather than launch-bound.
        var n = device.IsCuda ? 2048 : 512;
        const int repeats = 3;
        using var scope = DisposeScope.Enter();
        // Constant operands: a matmul's speed does not depend on the values, and random ones would draw from libtorch's
        // global generator, shifting the dropout stream of a job training at the same moment.
        var a = Tensor.Full([n, n], 0.5, ScalarType.Float32, device);
        var b = Tensor.Full([n, n], 0.25, ScalarType.Float32, device);
        Time(a, b, device); // warm-up: thread pool start, first touch of pages, kernel selection
        var best = Enumerable.Range(0, repeats).Min(_ => Time(a, b, device));
        return 2.0 * n * n * n / best;
    }

    private static double Time(Tensor a, Tensor b, Device device)
    {
        var watch = Stopwatch.StartNew();
        a.MatMul(b).Dispose();
        // CUDA kernels run asynchronously: wait for the product before reading the clock.
        if (device.IsCuda) Runtime.CudaSynchronize(device.Index);
        return Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
    }
}
