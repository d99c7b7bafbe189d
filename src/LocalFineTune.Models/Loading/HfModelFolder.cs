using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Lora;
using LocalFineTune.SafeTensors;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Loading;

/// <summary>A model, its tokenizer and config, loaded from one Hugging Face folder. Disposing frees the weights.</summary>
/// <param name="lora">The LoRA layers when the model was loaded with adapters (<see cref="AdapterFolders"/>), else null.</param>
/// <param name="baseDirectory">The folder the base weights came from: <paramref name="directory"/>, or an adapter's base.</param>
public sealed class LoadedModel(ICausalLanguageModel model, Tokenizer tokenizer, string directory, ModelConfig config,
    LoraLinearFactory? lora = null, string? baseDirectory = null) : IDisposable
{
    public ICausalLanguageModel Model { get; } = model;
    public Tokenizer Tokenizer { get; } = tokenizer;
    public string Directory { get; } = directory;

    /// <summary>The folder's config.json; its torch_dtype names the dtype the weights were loaded in.</summary>
    public ModelConfig Config { get; } = config;

    /// <summary>The adapters (settings and LoRA layers) when the model runs with LoRA; null for a plain model.</summary>
    public LoraLinearFactory? Lora { get; } = lora;

    /// <summary>Where the base weights came from; differs from <see cref="Directory"/> for an adapter-only folder.</summary>
    public string BaseDirectory { get; } = baseDirectory ?? directory;

    public void Dispose()
    {
        Model.Dispose();
        foreach (var adapter in Lora?.Adapters ?? []) adapter.Dispose();
    }
}

/// <summary>
/// Hugging Face model folders in and out: config.json, model.safetensors or shards + index, generation_config.json,
/// tokenizer files. What <see cref="Save"/> writes loads in transformers' from_pretrained unchanged.
/// </summary>
public static class HfModelFolder
{
    /// <summary>transformers' default max_shard_size ("5GB"): bigger checkpoints are split into shards + index.</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Tokenizer files transformers' tokenizers read or write; those present are copied on save.</summary>
    public static IReadOnlyList<string> TokenizerFileNames { get; } =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "added_tokens.json",
         "tokenizer.model", "chat_template.jinja"];

    /// <param name="dtype">The compute dtype: weights stored as F32/F16/BF16 are converted to it tensor by tensor.</param>
    /// <remarks>A fine-tuned folder that keeps only its LoRA adapter (no config.json, an adapter/ folder) loads its base
    /// with the adapter applied unmerged; see <see cref="AdapterFolders"/>.</remarks>
    public static LoadedModel Load(string dir, Device device, ScalarType dtype = ScalarType.Float32)
    {
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Model folder '{dir}' does not exist. Put the model under models/base/<name>/ or pass the right path.");
        if (AdapterFolders.IsAdapterOnly(dir)) return AdapterFolders.LoadAdapterOnly(dir, device, dtype);
        return Load(dir, device, dtype, makeLora: null);
    }

    /// <summary>The weights of <paramref name="dir"/> with every projection built by <paramref name="linearFactory"/>.</summary>
    /// <param name="makeLora">Given the config, the LoRA factory to build the projections with; null = a plain model.</param>
    /// <param name="tokenizerDir">Where the tokenizer files are (default <paramref name="dir"/>).</param>
    /// <param name="publicDir">The folder the caller named (an adapter-only folder), reported as <see cref="LoadedModel.Directory"/>.</param>
    internal static LoadedModel Load(string dir, Device device, ScalarType dtype, Func<ModelConfig, LoraLinearFactory>? makeLora,
        string? tokenizerDir = null, string? publicDir = null)
    {
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        var linearFactory = makeLora?.Invoke(config);
        var tokenizerFolder = tokenizerDir ?? dir;
        var tokenizer = Tokenizer.FromFolder(tokenizerFolder);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"The tokenizer in '{tokenizerFolder}' has {tokenizer.VocabSize} tokens but config.json's vocab_size is " +
                $"{config.VocabSize}: ids past the embedding would crash. Use the tokenizer files that belong to this model.");
        DecoderModel model;
        using (var checkpoint = SafeTensorsCheckpoint.OpenFolder(dir)) model = WeightLoader.Load(checkpoint, config, dir, device, dtype, linearFactory);
        try
        {
            linearFactory?.Finish(model);
        }
        catch
        {
            model.Dispose();
            foreach (var adapter in linearFactory!.Adapters) adapter.Dispose();
            throw;
        }
        return new LoadedModel(model, tokenizer, Path.GetFullPath(publicDir ?? dir), config.WithTorchDtype(WeightLoader.TorchDtypeName(dtype)),
            linearFactory, Path.GetFullPath(dir));
    }

    /// <summary>
    /// Writes config.json, the weights ({"format":"pt"}; one model.safetensors up to <paramref name="maxShardBytes"/>, else
    /// model-0000N-of-0000M.safetensors + model.safetensors.index.json; a tied lm_head is left out as save_pretrained
    /// does), generation_config.json (the source's when it has one and <paramref name="keepSourceGenerationConfig"/>), the tokenizer files of
    /// <paramref name="tokenizerSourceDir"/> and <paramref name="extraJsonFiles"/> (file name → content), into a
    /// temporary sibling folder that then replaces <paramref name="outDir"/>: readers never see a half-written model.
    /// </summary>
    public static void Save(ICausalLanguageModel model, ModelConfig config, string outDir, string tokenizerSourceDir,
        ScalarType saveDtype = ScalarType.Float32, IReadOnlyDictionary<string, string>? extraJsonFiles = null,
        long maxShardBytes = DefaultMaxShardBytes, bool keepSourceGenerationConfig = true, Action<string>? writeMore = null) =>
        WriteAtomically(outDir, temp =>
        {
            WriteFolderContents(model, config, temp, tokenizerSourceDir, saveDtype, maxShardBytes, keepSourceGenerationConfig);
            WriteExtraFiles(temp, extraJsonFiles);
            writeMore?.Invoke(temp);
        });

    /// <summary>
    /// Runs <paramref name="write"/> on an empty temporary sibling of <paramref name="outDir"/>, then moves it into place
    /// (replacing an existing folder), so readers never see a half-written model; on failure the temporary folder goes.
    /// </summary>
    public static void WriteAtomically(string outDir, Action<string> write)
    {
        var target = Path.GetFullPath(outDir);
        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{outDir}' has no parent folder.", nameof(outDir));
        System.IO.Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.saving-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            ReplaceFolder(temp, target);
        }
        catch
        {
            if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>GPT-2 convenience: <see cref="Save(ICausalLanguageModel, ModelConfig, string, string, ScalarType, IReadOnlyDictionary{string, string}?, long)"/>
    /// with the config.json GPT2Config.save_pretrained writes.</summary>
    public static void Save(ICausalLanguageModel model, Gpt2Config config, string outDir, string tokenizerSourceDir,
        ScalarType saveDtype = ScalarType.Float32, IReadOnlyDictionary<string, string>? extraJsonFiles = null) =>
        Save(model, ModelConfig.FromGpt2(config), outDir, tokenizerSourceDir, saveDtype, extraJsonFiles);

    /// <summary>A random GPT-2 folder in real HF layout, for tests and the bundled tiny base.</summary>
    public static void CreateRandomFolder(string dir, Gpt2Config config, string tokenizerSourceDir, ulong seed)
    {
        using var model = Gpt2Model.CreateRandom(config, seed, Device.Cpu);
        Save(model, ModelConfig.FromGpt2(config), dir, tokenizerSourceDir, keepSourceGenerationConfig: false);
    }

    /// <summary>A random folder of any family (weights as transformers initialises them), for tests and benchmarks.</summary>
    public static void CreateRandomFolder(string dir, ModelConfig config, string tokenizerSourceDir, ulong seed,
        ScalarType saveDtype = ScalarType.Float32, long maxShardBytes = DefaultMaxShardBytes)
    {
        using var model = config.ModelType == "gpt2"
            ? Gpt2Model.CreateRandom(Gpt2ConfigJson.Parse(config.ToJson()), seed, Device.Cpu)
            : DecoderInit.CreateRandom(config.Spec, seed, Device.Cpu);
        Save(model, config, dir, tokenizerSourceDir, saveDtype, maxShardBytes: maxShardBytes, keepSourceGenerationConfig: false);
    }

    private static void WriteFolderContents(ICausalLanguageModel model, ModelConfig config, string dir, string tokenizerSourceDir,
        ScalarType saveDtype, long maxShardBytes, bool keepSourceGenerationConfig)
    {
        var dtypeName = WeightLoader.TorchDtypeName(saveDtype);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.WithTorchDtype(dtypeName).ToJson());
        var sourceGeneration = Path.Combine(tokenizerSourceDir, "generation_config.json");
        if (keepSourceGenerationConfig && File.Exists(sourceGeneration)) File.Copy(sourceGeneration, Path.Combine(dir, "generation_config.json"));
        else File.WriteAllText(Path.Combine(dir, "generation_config.json"), config.GenerationConfigJson());
        var tensors = model.NamedParameters.Select(p => ToWrite(p.Name, p.Parameter, saveDtype)).ToList();
        ShardedSafeTensorsWriter.Write(dir, tensors, maxShardBytes, SafeTensorsWriter.PyTorchMetadata);
        CopyTokenizerFiles(tokenizerSourceDir, dir);
    }

    /// <summary>Files such as training_args.json and metrics.json (file name → content) written into the folder.</summary>
    public static void WriteExtraFiles(string dir, IReadOnlyDictionary<string, string>? extraJsonFiles)
    {
        foreach (var (name, content) in extraJsonFiles ?? new Dictionary<string, string>())
        {
            if (Path.GetFileName(name) != name)
                throw new ArgumentException($"extra file name '{name}' must be a plain file name inside the model folder.", nameof(extraJsonFiles));
            File.WriteAllText(Path.Combine(dir, name), content);
        }
    }

    private static TensorToWrite ToWrite(string name, Tensor parameter, ScalarType saveDtype) =>
        new(name, WeightLoader.ToSafeTensorDType(saveDtype), parameter.Shape, stream =>
        {
            // One tensor at a time on the CPU in the target dtype, so saving never holds a second model copy.
            using var scope = DisposeScope.Enter();
            using var noGrad = NoGradScope.Enter();
            var cpu = parameter.Detach().To(saveDtype, Device.Cpu).Contiguous();
            stream.Write(cpu.ToBytes());
        });

    public static void CopyTokenizerFiles(string sourceDir, string destination)
    {
        var found = TokenizerFileNames.Where(n => File.Exists(Path.Combine(sourceDir, n))).ToList();
        if (!found.Any(n => n is "tokenizer.json" or "vocab.json"))
            throw new FileNotFoundException($"No tokenizer files in '{sourceDir}' (expected tokenizer.json, or vocab.json + merges.txt); " +
                "pass the base model's folder as the tokenizer source.");
        foreach (var name in found) File.Copy(Path.Combine(sourceDir, name), Path.Combine(destination, name));
    }

    /// <summary>Moves the finished folder into place; an existing one is moved aside first and removed after.</summary>
    private static void ReplaceFolder(string finished, string target)
    {
        string? old = null;
        if (System.IO.Directory.Exists(target))
        {
            old = finished + ".old";
            System.IO.Directory.Move(target, old);
        }
        System.IO.Directory.Move(finished, target);
        if (old is not null) System.IO.Directory.Delete(old, recursive: true);
    }
}
