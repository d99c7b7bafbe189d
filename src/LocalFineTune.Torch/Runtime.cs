using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LocalFineTune.Torch.Native;
using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>Process-wide libtorch settings and facts: seeds, RNG state, threads, CUDA devices and memory.</summary>
public static class Runtime
{
    private const int ExpectedAbiVersion = 2; // 2: lft_checkpoint (activation checkpointing)

    /// <summary>
    /// LFT_NATIVE_LIB points at a liblft_torch.so built elsewhere (e.g. against a CUDA libtorch on a GPU machine);
    /// otherwise the copy next to the assemblies is used.
    /// </summary>
#pragma warning disable CA2255 // a library must install its resolver before its first P/Invoke, whoever the host is
    [ModuleInitializer]
    internal static void InstallResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(Runtime).Assembly, Resolve);
#pragma warning restore CA2255

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != N.Library) return IntPtr.Zero;
        var overridePath = Environment.GetEnvironmentVariable("LFT_NATIVE_LIB");
        if (!string.IsNullOrEmpty(overridePath)) return NativeLibrary.Load(overridePath);
        var local = Path.Combine(AppContext.BaseDirectory, "liblft_torch.so");
        if (File.Exists(local)) return NativeLibrary.Load(local);
        throw new DllNotFoundException(
            $"liblft_torch.so is not next to the application ({AppContext.BaseDirectory}). Build with `dotnet build` " +
            "(it runs CMake for native/lft_torch; first run scripts/setup-debian.sh), or set LFT_NATIVE_LIB to a built copy.");
    }

    private static readonly Lazy<bool> Compatible = new(() =>
    {
        var abi = N.lft_abi_version();
        if (abi != ExpectedAbiVersion)
            throw new InvalidOperationException(
                $"liblft_torch.so speaks ABI {abi} but this assembly expects {ExpectedAbiVersion}: rebuild the shim (dotnet build).");
        return true;
    });

    /// <summary>Fails fast with a clear message if the native library is missing or stale.</summary>
    public static void EnsureLoaded() => _ = Compatible.Value;

    public static (int Major, int Minor) TorchVersion
    {
        get
        {
            N.lft_torch_version(out var major, out var minor);
            return (major, minor);
        }
    }

    /// <summary>libtorch's build configuration text (BLAS, CUDA, CPU capability...).</summary>
    public static string BuildConfig => Marshal.PtrToStringUTF8(N.lft_build_config()) ?? "";

    /// <summary>Seeds the CPU and every CUDA generator.</summary>
    public static void ManualSeed(ulong seed) => Check.Status(N.lft_manual_seed(seed));

    /// <summary>The generator's full state, to save in a checkpoint so sampling and dropout resume exactly.</summary>
    public static byte[] GetRngState(Device device)
    {
        using var state = Tensor.Wrap(N.lft_rng_get_state((int)device.Type, device.Index));
        return state.ToBytes();
    }

    public static void SetRngState(Device device, byte[] state)
    {
        using var tensor = Tensor.FromArray(state);
        Check.Status(N.lft_rng_set_state((int)device.Type, device.Index, tensor.Handle));
    }

    /// <summary>
    /// Debian's libtorch 1.13 starts with one intra-op thread on some machines (its OpenMP default reads 1 on a
    /// 2-core VM), which halves matmul speed. When nobody chose (no OMP_NUM_THREADS) and it is 1 on a machine with
    /// more cores, use every core. Returns the thread count in force afterwards.
    /// </summary>
    public static int UseAllCoresIfSingleThreaded()
    {
        var cores = Environment.ProcessorCount;
        if (NumThreads == 1 && cores > 1 && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
            NumThreads = cores;
        return NumThreads;
    }

    public static int NumThreads
    {
        get => N.lft_get_num_threads();
        set => N.lft_set_num_threads(value);
    }

    public static bool CudaIsAvailable => N.lft_cuda_is_available() != 0;

    public static int CudaDeviceCount => N.lft_cuda_device_count();

    public static void CudaSynchronize(int index = 0) => Check.Status(N.lft_cuda_synchronize(index));

    /// <summary>Returns cached, unused GPU blocks to the driver (other processes can use them again).</summary>
    public static void EmptyCache() => Check.Status(N.lft_cuda_empty_cache());

    public static CudaMemoryStats CudaMemory(int index = 0)
    {
        Check.Status(N.lft_cuda_memory_stats(index, out var allocated, out var peak, out var reserved));
        Check.Status(N.lft_cuda_device_memory(index, out var free, out var total));
        return new CudaMemoryStats(allocated, peak, reserved, free, total);
    }

    /// <summary>Resident set size of this process, from /proc (Linux).</summary>
    public static long ProcessRssBytes()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }
}

public sealed record CudaMemoryStats(long AllocatedBytes, long PeakAllocatedBytes, long ReservedBytes, long FreeBytes, long TotalBytes);
