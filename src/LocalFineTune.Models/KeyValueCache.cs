using LocalFineTune.Torch;

namespace LocalFineTune.Models;

/// <summary>
/// Keys and values of every attention layer for the positions seen so far, so generation feeds only the
/// newest token. Owns its tensors (outside any DisposeScope); dispose it when the sequence is done.
/// </summary>
public sealed class KeyValueCache(int layerCount) : IDisposable
{
    private readonly Tensor?[] _keys = new Tensor?[layerCount];
    private readonly Tensor?[] _values = new Tensor?[layerCount];

    /// <summary>Positions cached so far: the position id of the next token. Read it before a forward pass,
    /// which appends to layer 0 first.</summary>
    public int Length => LengthOf(0);

    public int LayerCount => _keys.Length;

    /// <summary>Positions cached for one layer (during a forward pass, earlier layers are already one step ahead).</summary>
    public int LengthOf(int layer) => _keys[layer] is { } k ? (int)k.Size(2) : 0;

    /// <summary>
    /// Appends this step's keys and values ([batch, heads, new, head_dim]) for one layer and returns the
    /// full cached tensors, which belong to the cache (do not dispose them).
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        _keys[layer] = Concat(_keys[layer], keys);
        _values[layer] = Concat(_values[layer], values);
        return (_keys[layer]!, _values[layer]!);
    }

    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
    }

    private static Tensor Concat(Tensor? cached, Tensor fresh)
    {
        using var noGrad = NoGradScope.Enter();
        var joined = cached is null ? fresh.Detach() : Tensor.Cat([cached, fresh.Detach()], 2);
        DisposeScope.Detach(joined);
        cached?.Dispose();
        return joined;
    }
}
