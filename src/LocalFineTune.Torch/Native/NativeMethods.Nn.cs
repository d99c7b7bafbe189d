using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_embedding(TensorHandle weight, TensorHandle indices, long paddingIdx);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_linear(TensorHandle x, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_layer_norm(TensorHandle x, long* normalizedShape, int ndim, TensorHandle weight, TensorHandle bias, double eps);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_rms_norm(TensorHandle x, TensorHandle weight, double eps);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_softmax(TensorHandle x, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_log_softmax(TensorHandle x, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_gelu(TensorHandle x, [MarshalAs(UnmanagedType.U1)] bool tanhApproximation);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_silu(TensorHandle x);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_relu(TensorHandle x);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_dropout(TensorHandle x, double p, [MarshalAs(UnmanagedType.U1)] bool training);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_cross_entropy(TensorHandle logits, TensorHandle target, long ignoreIndex, int reduction, double labelSmoothing);
    [LibraryImport(Library)] internal static partial TensorHandle lft_nn_scaled_dot_product_attention(TensorHandle q, TensorHandle k, TensorHandle v, TensorHandle mask, double dropout, [MarshalAs(UnmanagedType.U1)] bool causal, double scale);

    [LibraryImport(Library)] internal static partial int lft_autograd_backward(TensorHandle t, TensorHandle grad, [MarshalAs(UnmanagedType.U1)] bool retainGraph);
    [LibraryImport(Library)] internal static partial int lft_tensor_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Library)] internal static partial int lft_tensor_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Library)] internal static partial int lft_autograd_is_enabled();
    [LibraryImport(Library)] internal static partial void lft_autograd_set_enabled([MarshalAs(UnmanagedType.U1)] bool enabled);
}
