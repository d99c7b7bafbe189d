using LocalFineTune.Torch.Native;

namespace LocalFineTune.Torch;

/// <summary>
/// A libtorch tensor. Dispose it, or create it inside a <see cref="DisposeScope"/>, to free its memory
/// deterministically: the garbage collector knows nothing of native (or GPU) memory pressure.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private static long s_live;
    private TensorHandle? _handle;

    /// <summary>The scope that will dispose this tensor, if any.</summary>
    internal DisposeScope? Scope;

    private Tensor(TensorHandle handle)
    {
        _handle = handle;
        Interlocked.Increment(ref s_live);
        DisposeScope.Register(this);
    }

    /// <summary>Tensors created and not yet disposed, on all threads. The leak tests watch this.</summary>
    public static long LiveCount => Interlocked.Read(ref s_live);

    internal static Tensor Wrap(TensorHandle handle) => new(Check.Handle(handle));

    internal static Tensor Wrap(IntPtr owned) => new(new TensorHandle(owned, ownsHandle: true));

    internal TensorHandle Handle => _handle ?? throw new ObjectDisposedException(nameof(Tensor),
        "This tensor was disposed, directly or by the DisposeScope it was created in. " +
        "To keep a tensor beyond its scope, call scope.MoveToOuter(t) or scope.Detach(t).");

    internal static TensorHandle HandleOrNull(Tensor? t) => t is null ? TensorHandle.Null : t.Handle;

    public bool IsDisposed => _handle is null;

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, null);
        if (handle is null) return;
        handle.Dispose();
        Interlocked.Decrement(ref s_live);
        Scope?.Forget(this);
        Scope = null;
    }

    public unsafe long[] Shape
    {
        get
        {
            var ndim = Dim;
            var shape = new long[ndim];
            fixed (long* p = shape) Check.Status(NativeMethods.lft_tensor_shape(Handle, p, ndim));
            return shape;
        }
    }

    public int Dim => NativeMethods.lft_tensor_ndim(Handle) is var n and >= 0 ? n : throw Check.Failure();

    public long Size(int dim) => Shape[dim < 0 ? dim + Dim : dim];

    public long NumEl => NativeMethods.lft_tensor_numel(Handle) is var n and >= 0 ? n : throw Check.Failure();

    public ScalarType DType => (ScalarType)(NativeMethods.lft_tensor_dtype(Handle) is var d and >= 0 ? d : throw Check.Failure());

    public Device Device
    {
        get
        {
            Check.Status(NativeMethods.lft_tensor_device(Handle, out var type, out var index));
            return new Device((DeviceType)type, index);
        }
    }

    public bool RequiresGrad
    {
        get => Check.Flag(NativeMethods.lft_tensor_requires_grad(Handle));
        set => Check.Status(NativeMethods.lft_tensor_set_requires_grad(Handle, value));
    }

    public bool IsLeaf => Check.Flag(NativeMethods.lft_tensor_is_leaf(Handle));

    public bool IsContiguous => Check.Flag(NativeMethods.lft_tensor_is_contiguous(Handle));

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", Shape)}], {DType}, {Device})";
}
