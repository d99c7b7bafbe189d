using LocalFineTune.Torch.Native;
using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

public sealed partial class Tensor
{
    /// <summary>Accumulates d(this)/d(leaf) into every leaf's Grad. A non-scalar tensor needs an explicit gradient.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check.Status(N.lft_autograd_backward(Handle, HandleOrNull(gradient), retainGraph));

    /// <summary>The accumulated gradient as a new handle (dispose it), or null before any backward.</summary>
    public Tensor? Grad
    {
        get
        {
            Check.Status(N.lft_tensor_grad(Handle, out var grad));
            return grad == IntPtr.Zero ? null : Wrap(grad);
        }
        set => Check.Status(N.lft_tensor_set_grad(Handle, HandleOrNull(value)));
    }

    /// <summary>Drops the gradient, so the next backward allocates a fresh one (cheaper than zeroing).</summary>
    public void ClearGrad() => Check.Status(N.lft_tensor_set_grad(Handle, TensorHandle.Null));
}

/// <summary>
/// Turns gradient recording off on this thread until disposed, then restores what was there before.
/// libtorch keeps grad mode per thread, so a scope opened on one thread never affects another.
/// </summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _previous;

    private NoGradScope(bool previous) => _previous = previous;

    public static NoGradScope Enter()
    {
        var previous = IsGradEnabled;
        N.lft_autograd_set_enabled(false);
        return new NoGradScope(previous);
    }

    public static bool IsGradEnabled => N.lft_autograd_is_enabled() != 0;

    public void Dispose() => N.lft_autograd_set_enabled(_previous);
}
