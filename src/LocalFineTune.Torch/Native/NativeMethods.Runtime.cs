using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial AdamWHandle lft_adamw_new(IntPtr* parameters, int* groupOf, int count, double* lr, double* weightDecay, int groupCount, double beta1, double beta2, double eps);
    [LibraryImport(Library)] internal static partial void lft_adamw_free(IntPtr optimizer);
    [LibraryImport(Library)] internal static partial int lft_adamw_step(AdamWHandle optimizer);
    [LibraryImport(Library)] internal static partial int lft_adamw_zero_grad(AdamWHandle optimizer, [MarshalAs(UnmanagedType.U1)] bool setToNone);
    [LibraryImport(Library)] internal static partial int lft_adamw_set_lr(AdamWHandle optimizer, int group, double lr);
    [LibraryImport(Library)] internal static partial long lft_adamw_get_step(AdamWHandle optimizer);
    [LibraryImport(Library)] internal static partial int lft_adamw_set_step(AdamWHandle optimizer, long step);
    [LibraryImport(Library)] internal static partial TensorHandle lft_adamw_state(AdamWHandle optimizer, int index, int which);
    [LibraryImport(Library)] internal static partial int lft_clip_grad_norm(IntPtr* parameters, int count, double maxNorm, out double totalNorm);

    [LibraryImport(Library)] internal static partial int lft_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial TensorHandle lft_rng_get_state(int devType, int devIndex);
    [LibraryImport(Library)] internal static partial int lft_rng_set_state(int devType, int devIndex, TensorHandle state);
    [LibraryImport(Library)] internal static partial void lft_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial int lft_get_num_threads();
    [LibraryImport(Library)] internal static partial int lft_cuda_is_available();
    [LibraryImport(Library)] internal static partial int lft_cuda_device_count();
    [LibraryImport(Library)] internal static partial int lft_cuda_helpers_built();
    [LibraryImport(Library)] internal static partial int lft_cuda_synchronize(int devIndex);
    [LibraryImport(Library)] internal static partial int lft_cuda_empty_cache();
    [LibraryImport(Library)] internal static partial int lft_cuda_memory_stats(int devIndex, out long allocated, out long peak, out long reserved);
    [LibraryImport(Library)] internal static partial int lft_cuda_device_memory(int devIndex, out long freeBytes, out long totalBytes);
    [LibraryImport(Library)] internal static partial int lft_autocast_set(int devType, [MarshalAs(UnmanagedType.U1)] bool enabled, int dtype);
    [LibraryImport(Library)] internal static partial IntPtr lft_build_config();
}
