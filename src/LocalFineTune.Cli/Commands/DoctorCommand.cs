using System.CommandLine;
using System.Text.Json;
using LocalFineTune.Torch;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft doctor [--json]`: checks that the native libtorch shim loads, which libtorch it runs on, whether
/// matmul uses a fast BLAS, and which devices training can use. Exit code 1 when something needs fixing.
/// </summary>
internal static class DoctorCommand
{
    private static readonly Option<bool> Json = new("--json") { Description = "Print the findings as JSON" };

    public static Command Create()
    {
        var command = new Command("doctor", "Check the libtorch installation, BLAS speed and available devices.");
        command.Options.Add(Json);
        command.SetAction(parse => Run(parse.GetValue(Json)));
        return command;
    }

    private static int Run(bool json)
    {
        try
        {
            Runtime.EnsureLoaded();
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        var (major, minor) = Runtime.TorchVersion;
        var blas = BlasCheck.Run();
        var report = new
        {
            libtorch = $"{major}.{minor}",
            threads = Runtime.NumThreads,
            cores = Environment.ProcessorCount,
            matmul_gflops_1024 = Math.Round(blas.Gflops, 1),
            openblas_loaded = blas.OpenBlasLoaded,
            cuda_available = Runtime.CudaIsAvailable,
            cuda_devices = Runtime.CudaDeviceCount,
            warnings = blas.Warning is null ? Array.Empty<string>() : [blas.Warning],
        };
        if (json) Console.WriteLine(JsonSerializer.Serialize(report));
        else PrintText(report.libtorch, report.threads, report.cores, blas, report.cuda_devices);
        return blas.Warning is null ? 0 : 1;
    }

    private static void PrintText(string version, int threads, int cores, BlasCheck.Result blas, int cudaDevices)
    {
        Console.WriteLine($"libtorch      {version}, {threads} intra-op {(threads == 1 ? "thread" : "threads")} on {cores} {(cores == 1 ? "core" : "cores")}" +
            (threads < cores ? " (OMP_NUM_THREADS limits it)" : ""));
        Console.WriteLine($"matmul 1024²  {blas.Gflops:F1} GFLOP/s, OpenBLAS {(blas.OpenBlasLoaded ? "loaded" : "NOT loaded")}");
        Console.WriteLine($"CUDA          {(cudaDevices > 0 ? $"{cudaDevices} device(s)" : "none (CPU training only)")}");
        if (blas.Warning is not null) Console.WriteLine($"warning: {blas.Warning}");
    }
}
