using LocalFineTune.Models.Gpt2;
using LocalFineTune.SafeTensors;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Loading;

/// <summary>A model, its tokenizer and config, loaded from one Hugging Face folder. Disposing frees the weights.</summary>
public sealed class LoadedModel(ICausalLanguageModel model, Tokenizer tokenizer, string directory, Gpt2Config config) : IDisposable
{
    public ICausalLanguageModel Model { get; } = model;
    public Tokenizer Tokenizer { get; } = tokenizer;
    public string Directory { get; } = directory;
    public Gpt2Config Config { get; } = config;

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Hugging Face model folders in and out: config.json, model.safetensors (or shards), tokenizer files.
/// What <see cref="Save"/> writes loads in transformers' GPT2LMHeadModel.from_pretrained unchanged.
/// </summary>
public static class HfModelFolder
{
    /// <summary>Tokenizer files transformers' GPT-2 tokenizers read or write; those present are copied on save.</summary>
    public static IReadOnlyList<string> TokenizerFileNames { get; } =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja"];

    public static LoadedModel Load(string dir, Device device, ScalarType dtype = ScalarType.Float32)
    {
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Model folder '{dir}' does not exist. Put the model under models/base/<name>/ or pass the right path.");
        var config = Gpt2ConfigJson.Load(Path.Combine(dir, "config.json"));
        var tokenizer = Tokenizer.FromFolder(dir);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"The tokenizer in '{dir}' has {tokenizer.VocabSize} tokens but config.json's vocab_size is " +
                $"{config.VocabSize}: ids past the embedding would crash. Use the tokenizer files that belong to this model.");
        using var checkpoint = SafeTensorsCheckpoint.OpenFolder(dir);
        var model = Gpt2WeightLoader.Load(checkpoint, config, dir, device, dtype);
        return new LoadedModel(model, tokenizer, Path.GetFullPath(dir), config with { TorchDtype = Gpt2WeightLoader.TorchDtypeName(dtype) });
    }

    /// <summary>
    /// Writes config.json, model.safetensors ({"format":"pt"}, "transformer."-prefixed keys; a tied lm_head is left
    /// out as save_pretrained does), generation_config.json, the tokenizer files of <paramref name="tokenizerSourceDir"/>
    /// and <paramref name="extraJsonFiles"/> (file name → content), into a temporary sibling folder that then
    /// replaces <paramref name="outDir"/>: readers never see a half-written model.
    /// </summary>
    public static void Save(ICausalLanguageModel model, Gpt2Config config, string outDir, string tokenizerSourceDir,
        ScalarType saveDtype = ScalarType.Float32, IReadOnlyDictionary<string, string>? extraJsonFiles = null)
    {
        var target = Path.GetFullPath(outDir);
        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{outDir}' has no parent folder.", nameof(outDir));
        System.IO.Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.saving-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            WriteFolderContents(model, config, temp, tokenizerSourceDir, saveDtype, extraJsonFiles);
            ReplaceFolder(temp, target);
        }
        catch
        {
            if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>A random GPT-2 folder in real HF layout, for tests and the bundled tiny base.</summary>
    public static void CreateRandomFolder(string dir, Gpt2Config config, string tokenizerSourceDir, ulong seed)
    {
        using var model = Gpt2Model.CreateRandom(config, seed, Device.Cpu);
        Save(model, config, dir, tokenizerSourceDir);
    }

    private static void WriteFolderContents(ICausalLanguageModel model, Gpt2Config config, string dir, string tokenizerSourceDir,
        ScalarType saveDtype, IReadOnlyDictionary<string, string>? extraJsonFiles)
    {
        var dtypeName = Gpt2WeightLoader.TorchDtypeName(saveDtype);
        File.WriteAllText(Path.Combine(dir, "config.json"), Gpt2ConfigJson.ToJson(config, dtypeName));
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), Gpt2ConfigJson.GenerationConfigJson(config));
        var tensors = model.NamedParameters.Select(p => ToWrite(p.Name, p.Parameter, saveDtype)).ToList();
        SafeTensorsWriter.Write(Path.Combine(dir, ModelFolder.SingleFileName), tensors, SafeTensorsWriter.PyTorchMetadata);
        CopyTokenizerFiles(tokenizerSourceDir, dir);
        foreach (var (name, content) in extraJsonFiles ?? new Dictionary<string, string>())
        {
            if (Path.GetFileName(name) != name)
                throw new ArgumentException($"extra file name '{name}' must be a plain file name inside the model folder.", nameof(extraJsonFiles));
            File.WriteAllText(Path.Combine(dir, name), content);
        }
    }

    private static TensorToWrite ToWrite(string name, Tensor parameter, ScalarType saveDtype) =>
        new(name, Gpt2WeightLoader.ToSafeTensorDType(saveDtype), parameter.Shape, stream =>
        {
            // One tensor at a time on the CPU in the target dtype, so saving never holds a second model copy.
            using var scope = DisposeScope.Enter();
            using var noGrad = NoGradScope.Enter();
            var cpu = parameter.Detach().To(saveDtype, Device.Cpu).Contiguous();
            stream.Write(cpu.ToBytes());
        });

    private static void CopyTokenizerFiles(string sourceDir, string destination)
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
