using System.Runtime.InteropServices;

namespace LocalFineTune.Torch.Native;

/// <summary>
/// Owns one native at::Tensor (a heap copy of the refcounted tensor). Passing it as a SafeHandle makes
/// the runtime keep it alive for the duration of each native call, even if its Tensor became unreachable.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>Stands for "no tensor" (an optional argument left out). Never released.</summary>
    public static readonly TensorHandle Null = new(IntPtr.Zero, ownsHandle: false);

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public TensorHandle(IntPtr handle, bool ownsHandle) : base(IntPtr.Zero, ownsHandle) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.lft_tensor_free(handle);
        return true;
    }
}

/// <summary>Owns one native AdamW optimizer.</summary>
internal sealed class AdamWHandle : SafeHandle
{
    public AdamWHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.lft_adamw_free(handle);
        return true;
    }
}
