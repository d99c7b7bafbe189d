using LocalFineTune.Models.Decoder;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// A frozen projection plus a low-rank update: y = base(x) + scaling · dropout(x)·Aᵀ·Bᵀ, A [r, in], B [out, r]
/// (PEFT's lora_A / lora_B layout for every base layout). <see cref="Merge"/> folds scaling·B·A into the base
/// weight in place (transposed for GPT-2's [in, out] Conv1D, PEFT's fan_in_fan_out) and <see cref="Unmerge"/>
/// takes it out again; while merged the forward is the base alone.
/// </summary>
public sealed class LoraLinear : IAdaptedLinear, IDisposable
{
    private readonly ILinear _base;
    private readonly LinearSite _site;
    private readonly double _dropout;

    public LoraLinear(ILinear baseLinear, LinearSite site, Tensor a, Tensor b, double scaling, double dropout)
    {
        if (a.Shape is not [_, var inA] || inA != site.InFeatures || b.Shape is not [var outB, var r] || outB != site.OutFeatures || r != a.Size(0))
            throw new ArgumentException($"{site.Path}: LoRA A must be [r, {site.InFeatures}] and B [{site.OutFeatures}, r], " +
                $"got [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]; the adapter belongs to another base model.");
        _base = baseLinear;
        _site = site;
        A = a;
        B = b;
        Scaling = scaling;
        _dropout = dropout;
    }

    public string Path => _site.Path;
    public long InFeatures => _site.InFeatures;
    public long OutFeatures => _site.OutFeatures;
    public long Rank => A.Size(0);
    public double Scaling { get; }
    /// <summary>lora_A [r, in], trainable.</summary>
    public Tensor A { get; }
    /// <summary>lora_B [out, r], trainable, zero at creation so the model starts as the base.</summary>
    public Tensor B { get; }
    /// <summary>GPT-2's Conv1D stores its weight [in, out] (PEFT's fan_in_fan_out).</summary>
    public bool FanInFanOut => _site.Layout == LinearLayout.InOut;
    public bool Merged { get; private set; }

    /// <summary>
    /// False = the forward is the frozen base alone (the adapter is skipped, not zeroed). DPO uses this to get the
    /// reference model from the policy without a second copy of the weights. Refused while merged: the base weight
    /// then holds the update and cannot give the base alone.
    /// </summary>
    public bool Enabled
    {
        get => _enabled;
        set
        {
            if (!value && Merged) throw new InvalidOperationException($"{Path}: unmerge the LoRA adapter before disabling it");
            _enabled = value;
        }
    }

    private bool _enabled = true;
    /// <summary>Dropout on the adapter's input, training only (set by the owning model's Training flag).</summary>
    public bool Training { get; set; }

    public IEnumerable<(string Name, Tensor Parameter)> AdapterParameters =>
        [(Path + ".lora_A.weight", A), (Path + ".lora_B.weight", B)];

    public Tensor Forward(Tensor x)
    {
        var y = _base.Forward(x);
        if (Merged || !_enabled) return y;
        var input = Functional.Dropout(x, _dropout, Training && _dropout > 0);
        var update = Functional.Linear(Functional.Linear(input, A.To(x.DType)), B.To(x.DType)); // [..., out]
        return y + update * Scaling;
    }

    /// <summary>W += scaling·B·A (its transpose for Conv1D); idempotent.</summary>
    public void Merge()
    {
        if (!_enabled) throw new InvalidOperationException($"{Path}: enable the LoRA adapter before merging it");
        if (!Merged) { AddDelta(1); Merged = true; }
    }

    /// <summary>W -= scaling·B·A; idempotent.</summary>
    public void Unmerge() { if (Merged) { AddDelta(-1); Merged = false; } }

    /// <summary>scaling·B·A as [out, in].</summary>
    public Tensor Delta()
    {
        using var noGrad = NoGradScope.Enter();
        return B.Detach().Mm(A.Detach()) * Scaling;
    }

    private void AddDelta(double sign)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var delta = Delta();
        if (FanInFanOut) delta = delta.Transpose(0, 1);
        _site.Weight.AddInPlace(delta.To(_site.Weight.DType), sign);
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
