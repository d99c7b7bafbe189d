using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_view(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_reshape(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_expand(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_repeat(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_permute(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_transpose(TensorHandle a, long d0, long d1);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_unsqueeze(TensorHandle a, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_squeeze(TensorHandle a, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_flatten(TensorHandle a, long start, long end);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_narrow(TensorHandle a, long dim, long start, long length);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_slice(TensorHandle a, long dim, long start, long end, long step);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_select(TensorHandle a, long dim, long index);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_index_select(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_gather(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_scatter(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_cat(IntPtr* parts, int count, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_stack(IntPtr* parts, int count, long dim);
    [LibraryImport(Library)] internal static partial int lft_tensor_split(TensorHandle a, long splitSize, long dim, IntPtr* output, int capacity);
    [LibraryImport(Library)] internal static partial int lft_tensor_split_sizes(TensorHandle a, long* sizes, int count, long dim, IntPtr* output, int capacity);
    [LibraryImport(Library)] internal static partial int lft_tensor_chunk(TensorHandle a, long chunks, long dim, IntPtr* output, int capacity);
}
