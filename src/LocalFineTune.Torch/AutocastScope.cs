using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>
/// Mixed precision on this thread until disposed, as <c>torch.autocast(device_type, dtype)</c>: matmuls and linears run
/// in <paramref name="dtype"/> while the weights stay float32 (the optimizer's master copy). libtorch keeps autocast
/// state per thread. Open it around the forward and the loss only: weights change after each step, and leaving the
/// outermost scope clears libtorch's cache of their low-precision casts. A scope opened inside an active one is a
/// no-op, so helpers can open one without knowing whether their caller did.
/// </summary>
public readonly struct AutocastScope : IDisposable
{
    [ThreadStatic] private static bool _active;
    private readonly Device _device;
    private readonly bool _owns;

    private AutocastScope(Device device, bool owns)
    {
        _device = device;
        _owns = owns;
    }

    /// <summary>Mixed precision in <paramref name="dtype"/> (BFloat16, or Float16 on CUDA); null = a scope that does nothing.</summary>
    public static AutocastScope Enter(Device device, ScalarType? dtype)
    {
        if (dtype is null || _active) return new AutocastScope(device, owns: false);
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"autocast runs in bfloat16 or float16, not {dtype}.", nameof(dtype));
        Runtime.EnsureLoaded();
        Check.Status(N.lft_autocast_set((int)device.Type, true, (int)dtype.Value));
        _active = true;
        return new AutocastScope(device, owns: true);
    }

    public static bool IsActive => _active;

    public void Dispose()
    {
        if (!_owns) return;
        _active = false;
        Check.Status(N.lft_autocast_set((int)_device.Type, false, (int)ScalarType.BFloat16));
    }
}
