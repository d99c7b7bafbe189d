using System.Text.Json.Nodes;
using LocalFineTune.Models.Lora;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Loading;

/// <summary>
/// Models with LoRA adapters on disk. A fine-tuned folder keeps its adapter in PEFT format under
/// <see cref="AdapterDirName"/>/, next to the merged weights; with merge off the folder has no weights of its own
/// (no config.json) and loads as its base (adapter_config.json's base_model_name_or_path) plus the adapter, unmerged.
/// </summary>
public static class AdapterFolders
{
    public const string AdapterDirName = "adapter";

    /// <summary>&lt;modelDir&gt;/adapter when it holds a PEFT adapter, else null.</summary>
    public static string? AdapterDirOf(string modelDir)
    {
        var dir = Path.Combine(modelDir, AdapterDirName);
        return File.Exists(Path.Combine(dir, PeftAdapter.ConfigFileName)) ? dir : null;
    }

    /// <summary>A folder with an adapter and no weights of its own (trained with merge off).</summary>
    public static bool IsAdapterOnly(string modelDir) =>
        !File.Exists(Path.Combine(modelDir, "config.json")) && AdapterDirOf(modelDir) is not null;

    /// <summary>
    /// The file that makes <paramref name="modelDir"/> a loadable model: its config.json, or for an adapter-only folder
    /// adapter/adapter_config.json; null when it has neither. Its write time is the folder's publication time.
    /// </summary>
    public static string? DescriptorOf(string modelDir)
    {
        var config = Path.Combine(modelDir, "config.json");
        if (File.Exists(config)) return config;
        return AdapterDirOf(modelDir) is { } adapter ? Path.Combine(adapter, PeftAdapter.ConfigFileName) : null;
    }

    /// <summary>The base folder an adapter was trained on, from its adapter_config.json.</summary>
    public static string BaseDirectoryOf(string adapterDir)
    {
        var configPath = Path.Combine(adapterDir, PeftAdapter.ConfigFileName);
        var baseName = (string?)JsonNode.Parse(File.ReadAllText(configPath))?["base_model_name_or_path"];
        if (string.IsNullOrWhiteSpace(baseName))
            throw new InvalidDataException($"{configPath} has no base_model_name_or_path: the adapter does not say which base it belongs to.");
        if (!Directory.Exists(baseName))
            throw new DirectoryNotFoundException($"The base model '{baseName}' this adapter was trained on ({configPath}) is not on this machine; " +
                "put the base back at that path (or edit base_model_name_or_path), or use a fine-tuned folder saved with merge on.");
        return Path.GetFullPath(baseName);
    }

    /// <summary>An adapter-only fine-tuned folder: its base with the adapter applied unmerged, its own tokenizer files.</summary>
    public static LoadedModel LoadAdapterOnly(string dir, Device device, ScalarType dtype = ScalarType.Float32)
    {
        var adapterDir = AdapterDirOf(dir) ?? throw new FileNotFoundException($"{dir} has no {AdapterDirName}/{PeftAdapter.ConfigFileName}.");
        return LoadWithAdapter(BaseDirectoryOf(adapterDir), adapterDir, device, dtype, tokenizerDir: dir, publicDir: dir);
    }

    /// <summary>The base in <paramref name="baseDir"/> with the PEFT adapter in <paramref name="adapterDir"/> (unmerged, trainable).</summary>
    public static LoadedModel LoadWithAdapter(string baseDir, string adapterDir, Device device, ScalarType dtype = ScalarType.Float32,
        string? tokenizerDir = null, string? publicDir = null)
    {
        var (settings, _, weights) = PeftAdapter.Load(adapterDir);
        try
        {
            return HfModelFolder.Load(baseDir, device, dtype, config => new LoraLinearFactory(settings, device, config.Spec.Keys.LmHead, weights),
                tokenizerDir, publicDir);
        }
        finally
        {
            foreach (var (a, b) in weights.Values) { a.Dispose(); b.Dispose(); }
        }
    }

    /// <summary>The base in <paramref name="baseDir"/> with new adapters (B = 0, so it starts as the base).</summary>
    public static LoadedModel LoadWithNewAdapter(string baseDir, LoraSettings settings, Device device, ScalarType dtype = ScalarType.Float32)
    {
        settings.Validate();
        return HfModelFolder.Load(baseDir, device, dtype, config => new LoraLinearFactory(settings, device, config.Spec.Keys.LmHead));
    }

    /// <summary>Writes the model's adapter in PEFT format into <paramref name="dir"/>.</summary>
    public static void SaveAdapter(LoadedModel loaded, string dir)
    {
        var lora = loaded.Lora ?? throw new InvalidOperationException("the model has no LoRA adapter to save.");
        PeftAdapter.Save(dir, lora.Settings, lora.Adapters, loaded.BaseDirectory);
    }

    /// <summary>
    /// A fine-tuned folder without merged weights: tokenizer and generation config of the base, <paramref name="extraJsonFiles"/>,
    /// and the adapter in adapter/. Written atomically like <see cref="HfModelFolder.Save(ICausalLanguageModel, ModelConfig, string, string, ScalarType, IReadOnlyDictionary{string, string}?, long, bool, Action{string}?)"/>.
    /// </summary>
    public static void SaveAdapterOnlyFolder(LoadedModel loaded, string outDir, IReadOnlyDictionary<string, string>? extraJsonFiles = null) =>
        HfModelFolder.WriteAtomically(outDir, temp =>
        {
            HfModelFolder.CopyTokenizerFiles(loaded.BaseDirectory, temp);
            var generation = Path.Combine(loaded.BaseDirectory, "generation_config.json");
            if (File.Exists(generation)) File.Copy(generation, Path.Combine(temp, "generation_config.json"));
            HfModelFolder.WriteExtraFiles(temp, extraJsonFiles);
            SaveAdapter(loaded, Path.Combine(temp, AdapterDirName));
        });

    /// <summary>
    /// Folds the adapter into the base weights (in place) and writes an ordinary HF folder plus the adapter in adapter/
    /// (`lft merge`, and the end of a LoRA run with merge on). The adapter stays merged afterwards.
    /// </summary>
    public static void SaveMerged(LoadedModel loaded, string outDir, IReadOnlyDictionary<string, string>? extraJsonFiles = null)
    {
        var lora = loaded.Lora ?? throw new InvalidOperationException("the model has no LoRA adapter to merge.");
        foreach (var adapter in lora.Adapters) adapter.Merge();
        HfModelFolder.Save(loaded.Model, loaded.Config, outDir, loaded.BaseDirectory, ScalarType.Float32, extraJsonFiles,
            writeMore: temp => SaveAdapter(loaded, Path.Combine(temp, AdapterDirName)));
    }
}
