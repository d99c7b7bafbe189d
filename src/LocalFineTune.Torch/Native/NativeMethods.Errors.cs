using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

/// <summary>P/Invoke declarations, one partial file per native source file. Internal: callers use Tensor.</summary>
internal static partial class NativeMethods
{
    internal const string Library = "lft_torch";

    [LibraryImport(Library)] internal static partial IntPtr lft_last_error();
    [LibraryImport(Library)] internal static partial void lft_clear_error();
    [LibraryImport(Library)] internal static partial int lft_abi_version();
    [LibraryImport(Library)] internal static partial void lft_torch_version(out int major, out int minor);
}
