using LocalFineTune.Torch.Native;

namespace LocalFineTune.Torch;

public enum DeviceType { Cpu = 0, Cuda = 1 }

/// <summary>Where a tensor lives: "cpu" or "cuda:N". "auto" picks CUDA when libtorch sees a GPU.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static readonly Device Cpu = new(DeviceType.Cpu);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>Parses "cpu", "cuda", "cuda:N" or "auto" (case-insensitive).</summary>
    public static Device Parse(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        if (value == "cpu") return Cpu;
        if (value == "auto") return Runtime.CudaIsAvailable ? Cuda() : Cpu;
        if (value == "cuda") return RequireCuda(0);
        if (value.StartsWith("cuda:") && int.TryParse(value.AsSpan(5), out var index) && index >= 0)
            return RequireCuda(index);
        throw new ArgumentException($"unknown device \"{text}\": use cpu, cuda, cuda:N or auto.", nameof(text));
    }

    private static Device RequireCuda(int index)
    {
        var count = Runtime.CudaDeviceCount;
        if (index < count) return Cuda(index);
        throw new ArgumentException(count == 0
            ? "CUDA was requested but libtorch sees no GPU: this build of the shim may be CPU-only (Debian's libtorch), " +
              "or no driver is loaded. Use --device cpu, or build the shim against a CUDA libtorch (see README, CUDA)."
            : $"cuda:{index} does not exist: libtorch sees {count} GPU(s), cuda:0 to cuda:{count - 1}.");
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
