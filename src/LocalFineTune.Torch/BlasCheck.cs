using System.Diagnostics;

namespace LocalFineTune.Torch;

/// <summary>
/// Debian's libtorch calls whatever libblas.so.3 the system provides. Without OpenBLAS that is the
/// reference BLAS, about 25× slower (7 vs 190 GFLOP/s for a 2048² matmul on 2 cores), which makes
/// training crawl without any error. This check finds that out.
/// </summary>
public static class BlasCheck
{
    public sealed record Result(double Gflops, bool OpenBlasLoaded, string? Warning);

    /// <summary>Times an n×n float32 matmul (median of several) and looks for OpenBLAS among the loaded libraries.</summary>
    public static Result Run(int n = 1024, int repeats = 5)
    {
        var gflops = MeasureMatmulGflops(n, repeats);
        var openBlas = IsOpenBlasLoaded();
        string? warning = null;
        if (!openBlas || gflops < 20)
            warning = $"matmul runs at {gflops:F1} GFLOP/s{(openBlas ? "" : " and OpenBLAS is not loaded")}: libtorch is " +
                      "probably on the reference BLAS. Install OpenBLAS: sudo apt-get install libopenblas0-pthread " +
                      "(or run scripts/setup-debian.sh).";
        return new Result(gflops, openBlas, warning);
    }

    public static double MeasureMatmulGflops(int n, int repeats)
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Randn([n, n]);
        var b = Tensor.Randn([n, n]);
        a.MatMul(b).Dispose(); // warm-up: thread pool start, first-touch of pages
        var seconds = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            a.MatMul(b).Dispose();
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        return 2.0 * n * n * n / seconds[seconds.Count / 2] / 1e9;
    }

    public static bool IsOpenBlasLoaded()
    {
        const string maps = "/proc/self/maps";
        return File.Exists(maps) && File.ReadLines(maps).Any(line => line.Contains("openblas", StringComparison.OrdinalIgnoreCase));
    }
}
