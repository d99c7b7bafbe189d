using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>In-place updates. They return this tensor so calls can chain; they allocate nothing.</summary>
public sealed partial class Tensor
{
    public Tensor AddInPlace(Tensor other, double alpha = 1) { Check.Status(N.lft_tensor_add_(Handle, other.Handle, alpha)); return this; }
    public Tensor AddInPlace(double value) { Check.Status(N.lft_tensor_add_scalar_(Handle, value)); return this; }
    public Tensor MulInPlace(Tensor other) { Check.Status(N.lft_tensor_mul_(Handle, other.Handle)); return this; }
    public Tensor MulInPlace(double value) { Check.Status(N.lft_tensor_mul_scalar_(Handle, value)); return this; }
    public Tensor DivInPlace(double value) { Check.Status(N.lft_tensor_div_scalar_(Handle, value)); return this; }
    public Tensor CopyFrom(Tensor source) { Check.Status(N.lft_tensor_copy_(Handle, source.Handle)); return this; }
    public Tensor ZeroInPlace() { Check.Status(N.lft_tensor_zero_(Handle)); return this; }
    public Tensor FillInPlace(double value) { Check.Status(N.lft_tensor_fill_(Handle, value)); return this; }
    public Tensor MaskedFillInPlace(Tensor mask, double value) { Check.Status(N.lft_tensor_masked_fill_(Handle, mask.Handle, value)); return this; }
    public Tensor NormalInPlace(double mean = 0, double std = 1) { Check.Status(N.lft_tensor_normal_(Handle, mean, std)); return this; }
    public Tensor UniformInPlace(double from = 0, double to = 1) { Check.Status(N.lft_tensor_uniform_(Handle, from, to)); return this; }
}
