using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>Copies, casts and device moves.</summary>
public sealed partial class Tensor
{
    public Tensor To(ScalarType type, bool copy = false) => To(type, Device, copy);

    public Tensor To(Device device, bool copy = false) => To(DType, device, copy);

    /// <summary>Returns this same tensor's data under a new handle when nothing changes and copy is false.</summary>
    public Tensor To(ScalarType type, Device device, bool copy = false) =>
        Wrap(N.lft_tensor_to(Handle, (int)type, (int)device.Type, device.Index, nonBlocking: false, copy));

    public Tensor Clone() => Wrap(N.lft_tensor_clone(Handle));

    /// <summary>Same data, cut off from the autograd graph.</summary>
    public Tensor Detach() => Wrap(N.lft_tensor_detach(Handle));

    public Tensor Contiguous() => Wrap(N.lft_tensor_contiguous(Handle));

    /// <summary>A second handle to this very tensor (same storage and gradient), with its own lifetime.</summary>
    public Tensor Alias() => Wrap(N.lft_tensor_alias(Handle));
}
