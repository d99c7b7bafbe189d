using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

public enum Reduction { None = 0, Mean = 1, Sum = 2 }

/// <summary>Stateless neural-network operations (torch.nn.functional), forward and backward.</summary>
public static class Functional
{
    public static Tensor Embedding(Tensor weight, Tensor indices, long paddingIdx = -1) =>
        Tensor.Wrap(N.lft_nn_embedding(weight.Handle, indices.Handle, paddingIdx));

    /// <summary>x @ weightᵀ + bias, with weight stored [out, in] as torch.nn.Linear does.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(N.lft_nn_linear(x.Handle, weight.Handle, Tensor.HandleOrNull(bias)));

    public static unsafe Tensor LayerNorm(Tensor x, long[] normalizedShape, Tensor? weight, Tensor? bias, double eps = 1e-5)
    {
        fixed (long* s = normalizedShape)
            return Tensor.Wrap(N.lft_nn_layer_norm(x.Handle, s, normalizedShape.Length, Tensor.HandleOrNull(weight),
                Tensor.HandleOrNull(bias), eps));
    }

    /// <summary>x / sqrt(mean(x²) + eps) · weight over the last dimension, normalised in float32.</summary>
    public static Tensor RmsNorm(Tensor x, Tensor? weight, double eps = 1e-6) =>
        Tensor.Wrap(N.lft_nn_rms_norm(x.Handle, Tensor.HandleOrNull(weight), eps));

    public static Tensor Softmax(Tensor x, long dim) => Tensor.Wrap(N.lft_nn_softmax(x.Handle, dim));
    public static Tensor LogSoftmax(Tensor x, long dim) => Tensor.Wrap(N.lft_nn_log_softmax(x.Handle, dim));

    /// <summary>GELU; tanhApproximation = true is GPT-2's "gelu_new".</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false) => Tensor.Wrap(N.lft_nn_gelu(x.Handle, tanhApproximation));
    public static Tensor Silu(Tensor x) => Tensor.Wrap(N.lft_nn_silu(x.Handle));
    public static Tensor Relu(Tensor x) => Tensor.Wrap(N.lft_nn_relu(x.Handle));
    public static Tensor Dropout(Tensor x, double p, bool training) => Tensor.Wrap(N.lft_nn_dropout(x.Handle, p, training));

    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices [N]. Targets equal to ignoreIndex add no loss,
    /// and Mean divides by the number of targets that are not ignored.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, long ignoreIndex = -100,
        Reduction reduction = Reduction.Mean, double labelSmoothing = 0) =>
        Tensor.Wrap(N.lft_nn_cross_entropy(logits.Handle, target.Handle, ignoreIndex, (int)reduction, labelSmoothing));

    /// <summary>
    /// softmax(q·kᵀ·scale + mask)·v for q, k, v of shape [batch, heads, seq, head_dim]. A bool mask means
    /// "may attend"; a float mask is added to the scores. causal adds the lower-triangular mask.
    /// scale defaults to 1/sqrt(head_dim).
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null,
        double dropout = 0, bool causal = false, double? scale = null) =>
        Tensor.Wrap(N.lft_nn_scaled_dot_product_attention(q.Handle, k.Handle, v.Handle, Tensor.HandleOrNull(mask),
            dropout, causal, scale ?? double.NaN));
}
