using LocalFineTune.Torch.Native;
using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>Views, reshapes, joins, splits and indexing.</summary>
public sealed partial class Tensor
{
    private unsafe delegate TensorHandle ShapeOp(TensorHandle t, long* dims, int ndim);

    private unsafe Tensor WithDims(ShapeOp op, long[] dims)
    {
        fixed (long* d = dims) return Wrap(op(Handle, d, dims.Length));
    }

    /// <summary>Same storage, new shape; fails on non-contiguous layouts (use Reshape).</summary>
    public unsafe Tensor View(params long[] shape) => WithDims(N.lft_tensor_view, shape);
    public unsafe Tensor Reshape(params long[] shape) => WithDims(N.lft_tensor_reshape, shape);
    public unsafe Tensor Expand(params long[] shape) => WithDims(N.lft_tensor_expand, shape);
    public unsafe Tensor Repeat(params long[] repeats) => WithDims(N.lft_tensor_repeat, repeats);
    public unsafe Tensor Permute(params long[] order) => WithDims(N.lft_tensor_permute, order);
    public Tensor Transpose(long dim0, long dim1) => Wrap(N.lft_tensor_transpose(Handle, dim0, dim1));
    public Tensor Unsqueeze(long dim) => Wrap(N.lft_tensor_unsqueeze(Handle, dim));
    public Tensor Squeeze(long dim) => Wrap(N.lft_tensor_squeeze(Handle, dim));
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(N.lft_tensor_flatten(Handle, startDim, endDim));
    public Tensor Narrow(long dim, long start, long length) => Wrap(N.lft_tensor_narrow(Handle, dim, start, length));
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(N.lft_tensor_slice(Handle, dim, start, end, step));
    public Tensor Select(long dim, long index) => Wrap(N.lft_tensor_select(Handle, dim, index));
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(N.lft_tensor_index_select(Handle, dim, index.Handle));
    public Tensor Gather(long dim, Tensor index) => Wrap(N.lft_tensor_gather(Handle, dim, index.Handle));
    public Tensor Scatter(long dim, Tensor index, Tensor source) => Wrap(N.lft_tensor_scatter(Handle, dim, index.Handle, source.Handle));

    public static unsafe Tensor Cat(IReadOnlyList<Tensor> parts, long dim = 0) => Join(N.lft_tensor_cat, parts, dim);
    public static unsafe Tensor Stack(IReadOnlyList<Tensor> parts, long dim = 0) => Join(N.lft_tensor_stack, parts, dim);

    /// <summary>Pieces of splitSize along dim (the last may be smaller).</summary>
    public unsafe Tensor[] Split(long splitSize, long dim = 0)
    {
        var capacity = (int)((Size((int)dim) + splitSize - 1) / Math.Max(splitSize, 1)) + 1;
        return Parts(capacity, (output, cap) => N.lft_tensor_split(Handle, splitSize, dim, output, cap));
    }

    public unsafe Tensor[] Split(long[] sizes, long dim = 0) =>
        Parts(sizes.Length, (output, cap) =>
        {
            fixed (long* s = sizes) return N.lft_tensor_split_sizes(Handle, s, sizes.Length, dim, output, cap);
        });

    public unsafe Tensor[] Chunk(long chunks, long dim = 0) =>
        Parts((int)chunks, (output, cap) => N.lft_tensor_chunk(Handle, chunks, dim, output, cap));

    private unsafe delegate TensorHandle JoinOp(IntPtr* parts, int count, long dim);

    private static unsafe Tensor Join(JoinOp op, IReadOnlyList<Tensor> parts, long dim)
    {
        var handles = new IntPtr[parts.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = parts[i].Handle.DangerousGetHandle();
        fixed (IntPtr* p = handles)
        {
            var result = Wrap(op(p, handles.Length, dim));
            GC.KeepAlive(parts); // the raw handles above are only valid while their tensors live
            return result;
        }
    }

    private unsafe delegate int PartsOp(IntPtr* output, int capacity);

    private static unsafe Tensor[] Parts(int capacity, PartsOp op)
    {
        var raw = new IntPtr[Math.Max(capacity, 1)];
        int count;
        fixed (IntPtr* p = raw) count = op(p, raw.Length);
        if (count < 0) throw Check.Failure();
        var result = new Tensor[count];
        for (var i = 0; i < count; i++) result[i] = Wrap(raw[i]);
        return result;
    }
}
