using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial TensorHandle lft_checkpoint(
        delegate* unmanaged<IntPtr, IntPtr*, int, IntPtr*, byte*, int, int> run, delegate* unmanaged<IntPtr, void> release,
        IntPtr state, IntPtr* inputs, int inputCount, IntPtr* parameters, int parameterCount);

    /// <summary>lft_tensor_alias returning the raw handle, for a callback that hands ownership to native code.</summary>
    [LibraryImport(Library, EntryPoint = "lft_tensor_alias")] internal static partial IntPtr lft_tensor_alias_raw(TensorHandle t);
}
