using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial void lft_tensor_free(IntPtr t);

    [LibraryImport(Library)]
    internal static partial TensorHandle lft_tensor_from_data(void* data, long* shape, int ndim, int dtype, int devType,
        int devIndex, [MarshalAs(UnmanagedType.U1)] bool requiresGrad);
    [LibraryImport(Library)] internal static partial int lft_tensor_copy_to_host(TensorHandle t, void* destination, long byteCount);

    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_empty(long* shape, int ndim, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_zeros(long* shape, int ndim, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_ones(long* shape, int ndim, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_full(long* shape, int ndim, double value, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_arange(double start, double end, double step, int dtype, int devType, int devIndex);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_randn(long* shape, int ndim, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_rand(long* shape, int ndim, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_randint(long low, long high, long* shape, int ndim, int dtype, int devType, int devIndex);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_zeros_like(TensorHandle t);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_ones_like(TensorHandle t);

    [LibraryImport(Library)] internal static partial int lft_tensor_ndim(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_shape(TensorHandle t, long* output, int capacity);
    [LibraryImport(Library)] internal static partial int lft_tensor_dtype(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_device(TensorHandle t, out int type, out int index);
    [LibraryImport(Library)] internal static partial long lft_tensor_numel(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_is_contiguous(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_requires_grad(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_set_requires_grad(TensorHandle t, [MarshalAs(UnmanagedType.U1)] bool value);
    [LibraryImport(Library)] internal static partial int lft_tensor_is_leaf(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_item_double(TensorHandle t, out double value);
    [LibraryImport(Library)] internal static partial int lft_tensor_item_int64(TensorHandle t, out long value);

    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_to(TensorHandle t, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool nonBlocking, [MarshalAs(UnmanagedType.U1)] bool copy);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_clone(TensorHandle t);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_detach(TensorHandle t);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_contiguous(TensorHandle t);
    [LibraryImport(Library)] internal static partial TensorHandle lft_tensor_alias(TensorHandle t);
    [LibraryImport(Library)] internal static partial int lft_tensor_equal(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial int lft_tensor_allclose(TensorHandle a, TensorHandle b, double rtol, double atol);
}
