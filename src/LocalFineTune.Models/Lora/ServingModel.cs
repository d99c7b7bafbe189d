using LocalFineTune.Models.Loading;
using LocalFineTune.SafeTensors;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// A base model loaded for serving: its weights with every projection in an <see cref="AdapterSlots"/> slot, so
/// adapters are switched per request on one copy of the weights; in inference mode (no dropout). Disposing frees the weights.
/// </summary>
public sealed class ServingModel : IDisposable
{
    private ServingModel(LoadedModel loaded, AdapterSlots slots)
    {
        Loaded = loaded;
        Slots = slots;
        Bytes = loaded.Model.NamedParameters.Sum(p => p.Parameter.NumEl * p.Parameter.DType.ElementSize());
    }

    /// <summary>The model (built on <see cref="Slots"/>), the base's tokenizer and config.</summary>
    public LoadedModel Loaded { get; }
    public AdapterSlots Slots { get; }
    public ICausalLanguageModel Model => Loaded.Model;
    public ScalarType DType => Model.NamedParameters[0].Parameter.DType;
    public Device Device => Model.NamedParameters[0].Parameter.Device;

    /// <summary>Memory the weights take.</summary>
    public long Bytes { get; }

    /// <summary>The HF folder <paramref name="dir"/> (config.json + safetensors; not an adapter-only folder) for serving.</summary>
    public static ServingModel Load(string dir, Device device, ScalarType dtype = ScalarType.Float32)
    {
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Model folder '{dir}' does not exist. Put the model under models/base/<name>/ or pass the right path.");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        var tokenizer = Tokenizer.FromFolder(dir);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"The tokenizer in '{dir}' has {tokenizer.VocabSize} tokens but config.json's vocab_size is " +
                $"{config.VocabSize}: ids past the embedding would crash. Use the tokenizer files that belong to this model.");
        var slots = new AdapterSlots(config.Spec.Keys.LmHead);
        Decoder.DecoderModel model;
        using (var checkpoint = SafeTensorsCheckpoint.OpenFolder(dir)) model = WeightLoader.Load(checkpoint, config, dir, device, dtype, slots);
        model.Training = false;
        var full = Path.GetFullPath(dir);
        return new ServingModel(new LoadedModel(model, tokenizer, full, config.WithTorchDtype(WeightLoader.TorchDtypeName(dtype))), slots);
    }

    public void Dispose() => Loaded.Dispose();
}
