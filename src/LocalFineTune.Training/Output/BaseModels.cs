using System.Text.RegularExpressions;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.Training.Output;

/// <summary>
/// Resolves --model through <see cref="ModelLocator"/> (a folder, a name under &lt;modelsRoot&gt;/base/, or "latest").
/// The bundled base "tiny-gpt2" ships only config.json and GPT-2's tokenizer files: its weights are a RANDOM
/// initialisation created at first use with a fixed seed (so every clone gets the same bytes), not a pretrained model.
/// </summary>
public static class BaseModels
{
    public const string BundledName = "tiny-gpt2";
    public const ulong BundledSeed = 20240115;

    public static string Resolve(string modelOrName, string modelsRoot)
    {
        string dir;
        try
        {
            dir = ModelLocator.Resolve(modelOrName, modelsRoot);
        }
        catch (DirectoryNotFoundException e) when (modelOrName == BundledName)
        {
            throw new DirectoryNotFoundException($"{e.Message} The bundled '{BundledName}' ships in the checkout's models/base/{BundledName}/: " +
                "run from the checkout, or point the models root (--models-root, LFT_MODELS_DIR) at its models/ folder.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DirectoryNotFoundException($"{e.Message} A base is a Hugging Face folder (config.json, model.safetensors or shards, " +
                $"tokenizer.json or vocab.json + merges.txt), looked up under <models root>/base/; the checkout's bundled '{BundledName}' needs no download.", e);
        }
        return EnsureBundledWeights(dir);
    }

    /// <summary>
    /// The display name of a base: its folder name ("gpt2", "tiny-gpt2"). A fine-tuned folder being trained again
    /// (the monthly retrain) names its original base, so outputs stay "gpt2-finetuned-…" instead of growing
    /// "gpt2-finetuned-…-finetuned-…".
    /// </summary>
    public static string NameOf(string modelDir)
    {
        var folder = Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd(Path.DirectorySeparatorChar));
        var fineTuned = FineTunedSuffix.Match(folder);
        return fineTuned.Success ? fineTuned.Groups[1].Value : folder;
    }

    private static readonly Regex FineTunedSuffix =
        new(@"^(.+)-finetuned-\d{8}_\d{6}(-\d+)?$", RegexOptions.CultureInvariant);

    private static string EnsureBundledWeights(string dir)
    {
        var hasWeights = File.Exists(Path.Combine(dir, ModelFolder.SingleFileName)) || File.Exists(Path.Combine(dir, ModelFolder.IndexFileName));
        if (hasWeights || NameOf(dir) != BundledName) return dir;
        var configPath = Path.Combine(dir, "config.json");
        var config = ModelConfig.Load(configPath);
        // CreateRandomFolder replaces the folder atomically: build the full folder beside it, then swap it in,
        // keeping the committed README and tokenizer provenance note.
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dir))!, "." + BundledName + ".init");
        HfModelFolder.CreateRandomFolder(staging, config, dir, BundledSeed);
        foreach (var file in new[] { ModelFolder.SingleFileName, "generation_config.json" })
            if (File.Exists(Path.Combine(staging, file)) && !File.Exists(Path.Combine(dir, file)))
                File.Move(Path.Combine(staging, file), Path.Combine(dir, file));
        Directory.Delete(staging, recursive: true);
        return dir;
    }
}
