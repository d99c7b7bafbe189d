using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>
/// A linear projection inside a model. Every projection of <see cref="DecoderModel"/> (q/k/v/o, MLP, lm_head) is
/// built through one <see cref="ILinearFactory"/> call keyed by its module path, so an adapter (LoRA) can wrap any
/// of them by name without the attention or MLP code knowing.
/// </summary>
public interface ILinear
{
    /// <summary>The HF module path, e.g. "model.layers.3.self_attn.q_proj".</summary>
    string Path { get; }
    long InFeatures { get; }
    long OutFeatures { get; }

    /// <summary>[..., in] → [..., out].</summary>
    Tensor Forward(Tensor x);
}

/// <summary>What a factory gets for one projection: its path, its checkpoint tensors and how they are laid out.</summary>
public sealed record LinearSite(string Path, Tensor Weight, Tensor? Bias, LinearLayout Layout)
{
    public long InFeatures => Layout == LinearLayout.OutIn ? Weight.Size(1) : Weight.Size(0);
    public long OutFeatures => Layout == LinearLayout.OutIn ? Weight.Size(0) : Weight.Size(1);
}

/// <summary>The one place projections are made. Replace it (e.g. with a LoRA factory that wraps
/// <see cref="DenseLinearFactory"/>'s result for matching paths) when building a model.</summary>
public interface ILinearFactory
{
    ILinear Create(LinearSite site);
}

/// <summary>Plain projections: nn.Linear for [out, in] weights, GPT-2's Conv1D for [in, out].</summary>
public sealed class DenseLinearFactory : ILinearFactory
{
    public static DenseLinearFactory Instance { get; } = new();

    public ILinear Create(LinearSite site) => site.Layout == LinearLayout.OutIn
        ? new DenseLinear(site.Path, site.Weight, site.Bias)
        : new Conv1DLinear(site.Path, site.Weight, site.Bias);
}

/// <summary>y = x·Wᵀ + b with W [out, in] (torch.nn.Linear).</summary>
public sealed class DenseLinear(string path, Tensor weight, Tensor? bias) : ILinear
{
    public string Path => path;
    public Tensor Weight => weight;
    public Tensor? Bias => bias;
    public long InFeatures => weight.Size(1);
    public long OutFeatures => weight.Size(0);
    public Tensor Forward(Tensor x) => Functional.Linear(x, weight, bias);
}

/// <summary>GPT-2's "Conv1D": y = x·W + b with W stored [in, out], used as the checkpoint has it.</summary>
public sealed class Conv1DLinear(string path, Tensor weight, Tensor? bias) : ILinear
{
    public string Path => path;
    public long InFeatures => weight.Size(0);
    public long OutFeatures => weight.Size(1);

    public Tensor Forward(Tensor x)
    {
        // x: [..., in] → [rows, in] so one addmm (bias + x·W) does the whole projection.
        var leading = x.Shape[..^1];
        var rows = x.Reshape(-1, x.Size(-1));                            // [rows, in]
        var y = bias is null ? rows.Mm(weight) : bias.AddMm(rows, weight); // [rows, out]
        return y.View([.. leading, weight.Size(1)]);                     // [..., out]
    }
}
