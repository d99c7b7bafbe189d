namespace LocalFineTune.Models.Loading;

/// <summary>
/// Turns what a user types for --model (or the API's "model") into a folder: an existing path as is;
/// "latest" = the newest models/*-finetuned-*/ folder; any other bare name = models/base/&lt;name&gt;/.
/// </summary>
public static class ModelLocator
{
    /// <param name="modelsRoot">The models/ folder; default: $LFT_MODELS_DIR, else ./models.</param>
    public static string Resolve(string nameOrPath, string? modelsRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var root = modelsRoot ?? Environment.GetEnvironmentVariable("LFT_MODELS_DIR") ?? "models";
        if (nameOrPath == "latest") return Latest(root);
        if (Directory.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        var looksLikePath = nameOrPath.Contains('/') || nameOrPath.Contains(Path.DirectorySeparatorChar) || nameOrPath.StartsWith('.');
        if (looksLikePath)
            throw new DirectoryNotFoundException($"Model folder '{nameOrPath}' does not exist.");
        var underBase = Path.Combine(root, "base", nameOrPath);
        if (Directory.Exists(underBase)) return Path.GetFullPath(underBase);
        throw new DirectoryNotFoundException($"No model named '{nameOrPath}': '{underBase}' does not exist. " +
            "Put the Hugging Face folder there, or pass a folder path.");
    }

    /// <summary>The most recently written fine-tuned model (by its config.json's time, or its adapter's for an adapter-only folder).</summary>
    public static string Latest(string modelsRoot)
    {
        var candidates = Directory.Exists(modelsRoot) ? Directory.GetDirectories(modelsRoot, "*-finetuned-*") : [];
        var newest = candidates.Where(d => AdapterFolders.DescriptorOf(d) is not null)
            .OrderByDescending(d => File.GetLastWriteTimeUtc(AdapterFolders.DescriptorOf(d)!))
            .ThenByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault();
        return newest is not null ? Path.GetFullPath(newest)
            : throw new DirectoryNotFoundException($"\"latest\" found no fine-tuned model (no {Path.Combine(modelsRoot, "*-finetuned-*")}/ with a config.json). " +
                                                   "Fine-tune one first, or pass a folder.");
    }
}
