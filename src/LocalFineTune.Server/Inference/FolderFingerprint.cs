using System.Globalization;
using System.Text;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;

namespace LocalFineTune.Server.Inference;

/// <summary>
/// What a cached model was read from: name, length and last-write time of each file that makes it up. A folder
/// rewritten in place or replaced by a rename (how fine-tuned folders are published) has new files and so a new
/// fingerprint; a few stat calls per request, no hashing.
/// </summary>
public static class FolderFingerprint
{
    /// <summary>config.json, the weights (single file, shards and index) and the tokenizer files of an HF folder.</summary>
    public static string OfModel(string dir) =>
        Of(dir, ["config.json", .. WeightFiles(dir).Select(Path.GetFileName)!, .. HfModelFolder.TokenizerFileNames]);

    /// <summary>An adapter (config and weights) and the tokenizer files of the folder that holds it.</summary>
    public static string OfAdapter(string modelDir, string adapterDir) =>
        Of(adapterDir, [PeftAdapter.ConfigFileName, PeftAdapter.WeightsFileName]) + "|" + Of(modelDir, HfModelFolder.TokenizerFileNames);

    /// <summary>Bytes of the folder's safetensors files: what loading it will take, near enough, before it is loaded.</summary>
    public static long WeightBytesOnDisk(string dir) => WeightFiles(dir).Sum(f => new FileInfo(f).Length);

    private static IEnumerable<string> WeightFiles(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*.safetensors*").Order(StringComparer.Ordinal) : [];

    private static string Of(string dir, IEnumerable<string?> names)
    {
        var text = new StringBuilder();
        foreach (var name in names.Distinct())
        {
            var file = new FileInfo(Path.Combine(dir, name!));
            if (!file.Exists) continue;
            text.Append(CultureInfo.InvariantCulture, $"{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks};");
        }
        return text.ToString();
    }
}
