namespace LocalFineTune.SafeTensors;

/// <summary>Which weights layout a Hugging Face model folder uses.</summary>
internal enum WeightsLayout { SingleFile, Sharded }

/// <summary>
/// File names of Hugging Face model folders, and the decision of what to load from one.
/// Order matches transformers: a single model.safetensors wins over an index.
/// </summary>
public static class ModelFolder
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Extensions of pickle-based checkpoints (torch.save), which we never open.</summary>
    private static readonly string[] PickleExtensions = [".bin", ".pt", ".pth", ".ckpt", ".pkl"];

    /// <summary>Shard file name as transformers writes it: model-00001-of-00003.safetensors.</summary>
    public static string ShardFileName(int index, int count) => $"model-{index:D5}-of-{count:D5}.safetensors";

    internal static (WeightsLayout Layout, string Path) Locate(string modelDir)
    {
        string dir = Path.GetFullPath(modelDir);
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Model folder '{dir}' does not exist. Put the model under models/base/<name>/ or pass the right path.");
        string single = Path.Combine(dir, SingleFileName);
        if (File.Exists(single)) return (WeightsLayout.SingleFile, single);
        string index = Path.Combine(dir, IndexFileName);
        if (File.Exists(index)) return (WeightsLayout.Sharded, index);
        throw NoSafeTensors(dir);
    }

    private static SafeTensorsException NoSafeTensors(string dir)
    {
        var files = Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var pickles = files.Where(IsPickleCheckpoint).ToList();
        if (pickles.Count > 0) return PickleRefused(dir, pickles);
        var otherSafeTensors = files.Where(f => f.EndsWith(".safetensors", StringComparison.Ordinal)).ToList();
        string found = files.Count == 0 ? "The folder is empty." : $"Found: {string.Join(", ", files)}.";
        string hint = otherSafeTensors.Count > 0
            ? $" {string.Join(", ", otherSafeTensors)} is not a name we load (it may be an adapter); if it holds the full model, rename it to {SingleFileName}."
            : "";
        return new ModelWeightsNotFoundException(
            $"Model folder '{dir}' has no weights. Expected {SingleFileName} (one file) or {IndexFileName} with its " +
            $"model-0000X-of-0000Y.safetensors shards. {found}{hint}");
    }

    private static bool IsPickleCheckpoint(string fileName) =>
        fileName == "pytorch_model.bin.index.json"
        || PickleExtensions.Any(ext => fileName.EndsWith(ext, StringComparison.OrdinalIgnoreCase));

    private static PickleCheckpointRefusedException PickleRefused(string dir, List<string> pickles) =>
        new($"Model folder '{dir}' has only pickle checkpoints ({string.Join(", ", pickles)}) and no safetensors weights. " +
            "LocalFineTune refuses pickle files: unpickling can execute arbitrary code hidden in the file, and reading them " +
            "needs PyTorch's unpickler. Convert the folder once with Python and transformers, which writes model.safetensors next to the config:\n" +
            $"  python -c \"from transformers import AutoModelForCausalLM as M; M.from_pretrained('{dir}').save_pretrained('{dir}', safe_serialization=True)\"\n" +
            "Then delete the .bin files, or keep them: safetensors weights are preferred when both exist.",
            pickles);
}
