using LocalFineTune.Models.Decoder;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// Swappable LoRA for serving: every projection of a model (except the output head, which PEFT never adapts) is
/// wrapped in an <see cref="AdapterSlot"/> at construction, and a <see cref="ServingAdapter"/> is switched in per
/// request with <see cref="Activate"/>. With nothing active each slot returns its base projection's output unchanged,
/// so the model is exactly the base; one copy of the base weights serves any number of adapters of any rank or targets.
/// The active adapter is state of the model: callers must not run two requests on one model at once.
/// </summary>
public sealed class AdapterSlots : ILinearFactory
{
    private readonly Dictionary<string, AdapterSlot> _slots = new(StringComparer.Ordinal);
    private readonly string _outputHeadPath;

    public AdapterSlots(string outputHeadPath = "lm_head") => _outputHeadPath = outputHeadPath;

    /// <summary>Slots by module path ("model.layers.0.self_attn.q_proj").</summary>
    public IReadOnlyDictionary<string, AdapterSlot> Slots => _slots;

    /// <summary>The adapter in use now; null = the base model.</summary>
    public ServingAdapter? Active { get; private set; }

    public ILinear Create(LinearSite site)
    {
        var plain = DenseLinearFactory.Instance.Create(site);
        if (site.Path == _outputHeadPath) return plain;
        var slot = new AdapterSlot(plain);
        _slots.Add(site.Path, slot);
        return slot;
    }

    /// <summary>
    /// Puts <paramref name="adapter"/> into its slots (null: the base) until the returned scope is disposed, which
    /// empties every slot again. <see cref="ServingAdapter.CheckFits"/> must have accepted the adapter for this model.
    /// </summary>
    public IDisposable Activate(ServingAdapter? adapter)
    {
        if (Active is not null) throw new InvalidOperationException("another adapter is active on this model: requests on one model must not overlap.");
        if (adapter is not null)
        {
            adapter.CheckFits(this);
            foreach (var (path, layer) in adapter.Layers) _slots[path].Active = layer;
        }
        Active = adapter;
        return new Deactivation(this);
    }

    private void Clear()
    {
        foreach (var slot in _slots.Values) slot.Active = null;
        Active = null;
    }

    private sealed class Deactivation(AdapterSlots slots) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            slots.Clear();
        }
    }
}

/// <summary>One adapter's low-rank pair for one projection: A [r, in], B [out, r], in the model's dtype and device.</summary>
public sealed record AdapterLayer(Tensor A, Tensor B, double Scaling);

/// <summary>A projection whose LoRA update can be switched per request: y = base(x) + scaling·(x·Aᵀ)·Bᵀ, or base(x) alone.</summary>
public sealed class AdapterSlot(ILinear baseLinear) : ILinear
{
    public string Path => baseLinear.Path;
    public long InFeatures => baseLinear.InFeatures;
    public long OutFeatures => baseLinear.OutFeatures;

    /// <summary>The update in use; null = exactly the base projection.</summary>
    public AdapterLayer? Active { get; internal set; }

    public Tensor Forward(Tensor x)
    {
        var y = baseLinear.Forward(x);
        if (Active is not { } layer) return y;
        // Rank r ≪ in/out: two thin matmuls instead of materialising B·A, as PEFT's unmerged forward does.
        return y + Functional.Linear(Functional.Linear(x, layer.A), layer.B) * layer.Scaling;
    }
}
