using LocalFineTune.Torch.Native;
using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>Element-wise arithmetic, comparisons, reductions and matrix products. All differentiable ones record autograd.</summary>
public sealed partial class Tensor
{
    public Tensor Add(Tensor other, double alpha = 1) => Wrap(N.lft_tensor_add(Handle, other.Handle, alpha));
    public Tensor Sub(Tensor other, double alpha = 1) => Wrap(N.lft_tensor_sub(Handle, other.Handle, alpha));
    public Tensor Mul(Tensor other) => Wrap(N.lft_tensor_mul(Handle, other.Handle));
    public Tensor Div(Tensor other) => Wrap(N.lft_tensor_div(Handle, other.Handle));
    public Tensor Pow(Tensor exponent) => Wrap(N.lft_tensor_pow(Handle, exponent.Handle));
    public Tensor Maximum(Tensor other) => Wrap(N.lft_tensor_maximum(Handle, other.Handle));
    public Tensor Minimum(Tensor other) => Wrap(N.lft_tensor_minimum(Handle, other.Handle));
    public Tensor MatMul(Tensor other) => Wrap(N.lft_tensor_matmul(Handle, other.Handle));
    public Tensor Mm(Tensor other) => Wrap(N.lft_tensor_mm(Handle, other.Handle));
    public Tensor Bmm(Tensor other) => Wrap(N.lft_tensor_bmm(Handle, other.Handle));

    public Tensor Add(double value) => Wrap(N.lft_tensor_add_scalar(Handle, value));
    public Tensor Mul(double value) => Wrap(N.lft_tensor_mul_scalar(Handle, value));
    public Tensor Div(double value) => Wrap(N.lft_tensor_div_scalar(Handle, value));
    public Tensor Pow(double exponent) => Wrap(N.lft_tensor_pow_scalar(Handle, exponent));
    /// <summary>value − this.</summary>
    public Tensor RSub(double value) => Wrap(N.lft_tensor_rsub_scalar(Handle, value));

    public Tensor Eq(Tensor other) => Wrap(N.lft_tensor_eq(Handle, other.Handle));
    public Tensor Ne(Tensor other) => Wrap(N.lft_tensor_ne(Handle, other.Handle));
    public Tensor Lt(Tensor other) => Wrap(N.lft_tensor_lt(Handle, other.Handle));
    public Tensor Le(Tensor other) => Wrap(N.lft_tensor_le(Handle, other.Handle));
    public Tensor Gt(Tensor other) => Wrap(N.lft_tensor_gt(Handle, other.Handle));
    public Tensor Ge(Tensor other) => Wrap(N.lft_tensor_ge(Handle, other.Handle));
    public Tensor Eq(double value) => Wrap(N.lft_tensor_eq_scalar(Handle, value));
    public Tensor Ne(double value) => Wrap(N.lft_tensor_ne_scalar(Handle, value));
    public Tensor Lt(double value) => Wrap(N.lft_tensor_lt_scalar(Handle, value));
    public Tensor Le(double value) => Wrap(N.lft_tensor_le_scalar(Handle, value));
    public Tensor Gt(double value) => Wrap(N.lft_tensor_gt_scalar(Handle, value));
    public Tensor Ge(double value) => Wrap(N.lft_tensor_ge_scalar(Handle, value));
    public Tensor LogicalAnd(Tensor other) => Wrap(N.lft_tensor_logical_and(Handle, other.Handle));
    public Tensor LogicalOr(Tensor other) => Wrap(N.lft_tensor_logical_or(Handle, other.Handle));
    public Tensor LogicalNot() => Wrap(N.lft_tensor_logical_not(Handle));
    public Tensor IsFinite() => Wrap(N.lft_tensor_isfinite(Handle));

    public Tensor Neg() => Wrap(N.lft_tensor_neg(Handle));
    public Tensor Exp() => Wrap(N.lft_tensor_exp(Handle));
    public Tensor Log() => Wrap(N.lft_tensor_log(Handle));
    public Tensor Sqrt() => Wrap(N.lft_tensor_sqrt(Handle));
    public Tensor Rsqrt() => Wrap(N.lft_tensor_rsqrt(Handle));
    public Tensor Abs() => Wrap(N.lft_tensor_abs(Handle));
    public Tensor Tanh() => Wrap(N.lft_tensor_tanh(Handle));
    public Tensor Sigmoid() => Wrap(N.lft_tensor_sigmoid(Handle));
    public Tensor Sin() => Wrap(N.lft_tensor_sin(Handle));
    public Tensor Cos() => Wrap(N.lft_tensor_cos(Handle));
    public Tensor Floor() => Wrap(N.lft_tensor_floor(Handle));
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(N.lft_tensor_clamp(Handle, min ?? 0, max ?? 0, min.HasValue, max.HasValue));

    public unsafe Tensor Sum(long[]? dims = null, bool keepDim = false) => Reduce(N.lft_tensor_sum, dims, keepDim);
    public unsafe Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);
    public unsafe Tensor Mean(long[]? dims = null, bool keepDim = false) => Reduce(N.lft_tensor_mean, dims, keepDim);
    public unsafe Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);
    public unsafe Tensor Max(long[]? dims = null, bool keepDim = false) => Reduce(N.lft_tensor_amax, dims, keepDim);
    public unsafe Tensor Min(long[]? dims = null, bool keepDim = false) => Reduce(N.lft_tensor_amin, dims, keepDim);
    public unsafe Tensor LogSumExp(long dim, bool keepDim = false) => Reduce(N.lft_tensor_logsumexp, [dim], keepDim);

    public unsafe Tensor Var(long[] dims, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(N.lft_tensor_var(Handle, d, dims.Length, unbiased, keepDim));
    }

    public Tensor Norm(double p = 2) => Wrap(N.lft_tensor_norm(Handle, p));
    public Tensor CumSum(long dim) => Wrap(N.lft_tensor_cumsum(Handle, dim));
    public Tensor Any() => Wrap(N.lft_tensor_any(Handle));
    public Tensor All() => Wrap(N.lft_tensor_all(Handle));

    /// <summary>Index of the largest value along dim, or over the flattened tensor when dim is null.</summary>
    public Tensor ArgMax(long? dim = null, bool keepDim = false) => Wrap(N.lft_tensor_argmax(Handle, dim ?? 0, dim.HasValue, keepDim));

    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        Check.Status(N.lft_tensor_topk(Handle, k, dim, largest, sorted, out var values, out var indices));
        return (Wrap(values), Wrap(indices));
    }

    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        Check.Status(N.lft_tensor_sort(Handle, dim, descending, out var values, out var indices));
        return (Wrap(values), Wrap(indices));
    }

    public (Tensor Values, Tensor Indices) MaxAlong(long dim, bool keepDim = false)
    {
        Check.Status(N.lft_tensor_max_dim(Handle, dim, keepDim, out var values, out var indices));
        return (Wrap(values), Wrap(indices));
    }

    /// <summary>Draws sample indices from rows of (unnormalised) probabilities, using the seeded generator.</summary>
    public Tensor Multinomial(long samples, bool replacement = false) => Wrap(N.lft_tensor_multinomial(Handle, samples, replacement));

    /// <summary>beta·this + alpha·(a @ b), for a 2-D this (the bias).</summary>
    public Tensor AddMm(Tensor a, Tensor b, double beta = 1, double alpha = 1) =>
        Wrap(N.lft_tensor_addmm(Handle, a.Handle, b.Handle, beta, alpha));

    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse) =>
        Wrap(N.lft_tensor_where(condition.Handle, whenTrue.Handle, whenFalse.Handle));

    public Tensor MaskedFill(Tensor mask, double value) => Wrap(N.lft_tensor_masked_fill(Handle, mask.Handle, value));
    public Tensor Tril(long diagonal = 0) => Wrap(N.lft_tensor_tril(Handle, diagonal));
    public Tensor Triu(long diagonal = 0) => Wrap(N.lft_tensor_triu(Handle, diagonal));

    public bool Equal(Tensor other) => Check.Flag(N.lft_tensor_equal(Handle, other.Handle));
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8) =>
        Check.Flag(N.lft_tensor_allclose(Handle, other.Handle, rtol, atol));

    private unsafe delegate TensorHandle Reduction(TensorHandle t, long* dims, int ndim, bool keepDim);

    private unsafe Tensor Reduce(Reduction reduction, long[]? dims, bool keepDim)
    {
        dims ??= [];
        fixed (long* d = dims) return Wrap(reduction(Handle, d, dims.Length, keepDim));
    }
}
