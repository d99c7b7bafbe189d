using LocalFineTune.Torch.Native;
using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>Parameters that share a learning rate and weight decay (e.g. no decay for biases and norms).</summary>
public sealed record ParamGroup(IReadOnlyList<Tensor> Parameters, double LearningRate, double WeightDecay = 0);

/// <summary>
/// AdamW (decoupled weight decay), stepping each group with libtorch's multi-tensor kernels
/// (fused on CUDA with libtorch 2.x). The state lives in native memory next to the parameters.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly AdamWHandle _handle;
    private readonly Tensor[] _parameters;

    public AdamW(IReadOnlyList<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _parameters = groups.SelectMany(g => g.Parameters).ToArray();
        GroupCount = groups.Count;
        _handle = Create(groups, beta1, beta2, eps);
    }

    public int GroupCount { get; }

    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Completed optimizer steps; bias correction depends on it, so resume restores it.</summary>
    public long StepCount
    {
        get => N.lft_adamw_get_step(_handle);
        set => Check.Status(N.lft_adamw_set_step(_handle, value));
    }

    public void Step() => Check.Status(N.lft_adamw_step(_handle));

    /// <summary>setToNone frees the gradients (the default, as in PyTorch 2) instead of zeroing them.</summary>
    public void ZeroGrad(bool setToNone = true) => Check.Status(N.lft_adamw_zero_grad(_handle, setToNone));

    public void SetLearningRate(double lr)
    {
        for (var g = 0; g < GroupCount; g++) SetLearningRate(g, lr);
    }

    public void SetLearningRate(int group, double lr) => Check.Status(N.lft_adamw_set_lr(_handle, group, lr));

    /// <summary>The first moment of parameter i. Shares storage: CopyFrom into it restores saved state. Dispose it.</summary>
    public Tensor ExpAvg(int index) => Tensor.Wrap(N.lft_adamw_state(_handle, index, 0));

    /// <summary>The second moment of parameter i. Shares storage like <see cref="ExpAvg"/>.</summary>
    public Tensor ExpAvgSq(int index) => Tensor.Wrap(N.lft_adamw_state(_handle, index, 1));

    public void Dispose() => _handle.Dispose();

    private static unsafe AdamWHandle Create(IReadOnlyList<ParamGroup> groups, double beta1, double beta2, double eps)
    {
        var parameters = groups.SelectMany(g => g.Parameters).ToArray();
        var handles = parameters.Select(p => p.Handle.DangerousGetHandle()).ToArray();
        var groupOf = groups.SelectMany((g, i) => g.Parameters.Select(_ => i)).ToArray();
        var lrs = groups.Select(g => g.LearningRate).ToArray();
        var decays = groups.Select(g => g.WeightDecay).ToArray();
        fixed (IntPtr* h = handles)
        fixed (int* go = groupOf)
        fixed (double* lr = lrs)
        fixed (double* wd = decays)
        {
            var handle = N.lft_adamw_new(h, go, handles.Length, lr, wd, groups.Count, beta1, beta2, eps);
            GC.KeepAlive(parameters);
            if (handle.IsInvalid) throw Check.Failure();
            return handle;
        }
    }
}

public static class GradClip
{
    /// <summary>Scales all gradients so that their global L2 norm is at most maxNorm; returns the norm before clipping.</summary>
    public static unsafe double ClipGradNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        var handles = parameters.Select(p => p.Handle.DangerousGetHandle()).ToArray();
        fixed (IntPtr* h = handles)
        {
            Check.Status(N.lft_clip_grad_norm(h, handles.Length, maxNorm, out var total));
            GC.KeepAlive(parameters);
            return total;
        }
    }
}
