using LocalFineTune.Torch;

namespace LocalFineTune.Server.Catalog;

public sealed record DeviceView(string Name, string Type, bool Available, double? MemoryTotalMb, double? MemoryFreeMb, string? Problem);

/// <summary>The configured devices with their memory; CUDA figures come from libtorch, CPU ones from the runtime.</summary>
public sealed class DeviceInventory
{
    public IReadOnlyList<DeviceView> List(IEnumerable<string> configured) => configured.Select(Describe).ToList();

    private static DeviceView Describe(string name)
    {
        var lower = name.ToLowerInvariant();
        if (lower == "cpu")
        {
            var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return new DeviceView(name, "cpu", true, Mb(total), null, null);
        }
        try
        {
            var index = lower.StartsWith("cuda:", StringComparison.Ordinal) ? int.Parse(lower[5..]) : 0;
            if (!Runtime.CudaIsAvailable || index >= Runtime.CudaDeviceCount)
            {
                return new DeviceView(name, "cuda", false, null, null, "CUDA is not available to this libtorch; remove it from LocalFineTune:Devices or install the CUDA build.");
            }
            var memory = Runtime.CudaMemory(index);
            return new DeviceView(name, "cuda", true, Mb(memory.TotalBytes), Mb(memory.FreeBytes), null);
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or FormatException or TorchException)
        {
            return new DeviceView(name, "cuda", false, null, null, $"{e.Message} Run `lft doctor` to check the libtorch installation.");
        }
    }

    private static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 0);
}
