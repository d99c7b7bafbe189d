using LocalFineTune.Torch.Native;

namespace LocalFineTune.Torch;

/// <summary>Tensors made by libtorch: constants, ranges and random values (drawn from the seeded generator).</summary>
public sealed partial class Tensor
{
    private unsafe delegate TensorHandle ShapeFactory(long* shape, int ndim, int dtype, int devType, int devIndex, bool requiresGrad);

    private static unsafe Tensor Create(ShapeFactory factory, long[] shape, ScalarType type, Device? device, bool requiresGrad)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(factory(s, shape.Length, (int)type, (int)d.Type, d.Index, requiresGrad));
    }

    public static unsafe Tensor Zeros(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(NativeMethods.lft_tensor_zeros, shape, type, device, requiresGrad);

    public static unsafe Tensor Ones(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(NativeMethods.lft_tensor_ones, shape, type, device, requiresGrad);

    public static unsafe Tensor Empty(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(NativeMethods.lft_tensor_empty, shape, type, device, requiresGrad);

    /// <summary>Standard normal values.</summary>
    public static unsafe Tensor Randn(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(NativeMethods.lft_tensor_randn, shape, type, device, requiresGrad);

    /// <summary>Uniform values in [0, 1).</summary>
    public static unsafe Tensor Rand(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(NativeMethods.lft_tensor_rand, shape, type, device, requiresGrad);

    public static unsafe Tensor Full(long[] shape, double value, ScalarType type = ScalarType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape)
            return Wrap(NativeMethods.lft_tensor_full(s, shape.Length, value, (int)type, (int)d.Type, d.Index, requiresGrad));
    }

    /// <summary>Integers in [low, high).</summary>
    public static unsafe Tensor RandInt(long low, long high, long[] shape, ScalarType type = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape)
            return Wrap(NativeMethods.lft_tensor_randint(low, high, s, shape.Length, (int)type, (int)d.Type, d.Index));
    }

    /// <summary>Values start, start + step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, ScalarType type = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Wrap(NativeMethods.lft_tensor_arange(start, end, step, (int)type, (int)d.Type, d.Index));
    }

    public static Tensor Arange(long end, ScalarType type = ScalarType.Int64, Device? device = null) => Arange(0, end, 1, type, device);

    public Tensor ZerosLike() => Wrap(NativeMethods.lft_tensor_zeros_like(Handle));

    public Tensor OnesLike() => Wrap(NativeMethods.lft_tensor_ones_like(Handle));
}
