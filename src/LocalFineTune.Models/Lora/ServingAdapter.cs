using LocalFineTune.Torch;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// A PEFT LoRA adapter read for serving on <see cref="AdapterSlots"/>: its (A, B) pairs by module path, already in the
/// base model's dtype and device (converted once, not per request), and PEFT's scaling. Disposing frees the tensors.
/// </summary>
public sealed class ServingAdapter : IDisposable
{
    private ServingAdapter(string directory, LoraSettings settings, Dictionary<string, AdapterLayer> layers)
    {
        Directory = directory;
        Settings = settings;
        Layers = layers;
        Bytes = layers.Values.Sum(l => (l.A.NumEl + l.B.NumEl) * l.A.DType.ElementSize());
    }

    /// <summary>The adapter folder (adapter_config.json + adapter_model.safetensors).</summary>
    public string Directory { get; }
    public LoraSettings Settings { get; }
    public IReadOnlyDictionary<string, AdapterLayer> Layers { get; }

    /// <summary>Memory the adapter's tensors take.</summary>
    public long Bytes { get; }

    /// <summary>Reads <paramref name="adapterDir"/> (PEFT format) into tensors of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static ServingAdapter Load(string adapterDir, Device device, ScalarType dtype)
    {
        var (settings, _, weights) = PeftAdapter.Load(adapterDir);
        var layers = new Dictionary<string, AdapterLayer>(StringComparer.Ordinal);
        try
        {
            if (weights.Count == 0) throw new InvalidDataException($"{adapterDir}: the adapter has no lora_A/lora_B tensors.");
            foreach (var (path, (a, b)) in weights)
                layers[path] = new AdapterLayer(Placed(a, device, dtype), Placed(b, device, dtype), settings.Scaling);
            return new ServingAdapter(Path.GetFullPath(adapterDir), settings, layers);
        }
        catch
        {
            foreach (var layer in layers.Values) { layer.A.Dispose(); layer.B.Dispose(); }
            throw;
        }
        finally
        {
            foreach (var (a, b) in weights.Values) { a.Dispose(); b.Dispose(); }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first module the adapter has and the model lacks, or whose shapes differ.</summary>
    public void CheckFits(AdapterSlots model)
    {
        foreach (var (path, layer) in Layers)
        {
            if (!model.Slots.TryGetValue(path, out var slot))
                throw new ArgumentException($"the adapter in {Directory} has weights for {path}, which this base model does not have: " +
                    "it was trained on another base.", "adapter");
            if (layer.A.Shape is not [var r, var inA] || inA != slot.InFeatures || layer.B.Shape is not [var outB, var rB] || outB != slot.OutFeatures || rB != r)
                throw new ArgumentException($"the adapter in {Directory} has {path} A [{string.Join(", ", layer.A.Shape)}] and B " +
                    $"[{string.Join(", ", layer.B.Shape)}], this base needs A [r, {slot.InFeatures}] and B [{slot.OutFeatures}, r]: " +
                    "it was trained on another base.", "adapter");
        }
    }

    private static Tensor Placed(Tensor t, Device device, ScalarType dtype) => DisposeScope.Detach(t.To(dtype, device, copy: true))!;

    public void Dispose()
    {
        foreach (var layer in Layers.Values) { layer.A.Dispose(); layer.B.Dispose(); }
    }
}
