using System.Text.Json;

namespace LocalFineTune.Hub;

/// <summary>One file of a repository revision as the hub's model info lists it (sha256 only for LFS files).</summary>
public sealed record RepositoryFile(string Name, long? Size, string? Sha256);

/// <summary>Which files of a repository make a base: weights as safetensors, config and tokenizer files, never pickles.</summary>
public static class RepositoryFiles
{
    /// <summary>Small files transformers reads beside the weights.</summary>
    public static IReadOnlySet<string> SideFiles { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja", "model.safetensors.index.json",
    };

    private static readonly string[] PickleSuffixes = [".bin", ".pt", ".pth", ".ckpt", ".pkl"];

    /// <summary>The files to download; a clear error when the repository has no safetensors weights.</summary>
    public static IReadOnlyList<RepositoryFile> Select(string repository, IReadOnlyList<RepositoryFile> all)
    {
        // Only top-level files: sub-folders hold other formats (onnx/, original/ with consolidated weights, …).
        var top = all.Where(f => !f.Name.Contains('/')).ToList();
        var weights = top.Where(IsSafeTensorsWeights).ToList();
        if (weights.Count == 0)
        {
            var pickles = top.Where(f => PickleSuffixes.Any(s => f.Name.EndsWith(s, StringComparison.OrdinalIgnoreCase))).ToList();
            throw new HubException(pickles.Count > 0
                ? $"{repository} publishes its weights only as pickle files ({string.Join(", ", pickles.Select(p => p.Name))}), which can run " +
                  "arbitrary code when loaded, so lft does not download them. Convert them once on a machine with transformers: " +
                  "python -c \"from transformers import AutoModelForCausalLM as M; M.from_pretrained('" + repository +
                  "').save_pretrained('OUT', safe_serialization=True)\" and copy OUT to models/base/<name>/."
                : $"{repository} has no *.safetensors weights at its top level; it is not a model lft can train.");
        }
        if (!top.Any(f => f.Name == "config.json"))
            throw new HubException($"{repository} has no config.json; it is not a Hugging Face transformers model.");
        return [.. top.Where(f => SideFiles.Contains(f.Name)), .. weights];
    }

    /// <summary>Reads the hub's /api/models/{repo}/revision/{rev}?blobs=true answer: the commit and the files.</summary>
    public static (string? Commit, IReadOnlyList<RepositoryFile> Files) ParseModelInfo(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        var commit = root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString() : null;
        var files = new List<RepositoryFile>();
        if (root.TryGetProperty("siblings", out var siblings) && siblings.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in siblings.EnumerateArray())
            {
                if (!s.TryGetProperty("rfilename", out var name) || name.ValueKind != JsonValueKind.String) continue;
                long? size = s.TryGetProperty("size", out var sz) && sz.TryGetInt64(out var n) ? n : null;
                string? sha256 = null;
                if (s.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
                {
                    sha256 = lfs.TryGetProperty("sha256", out var h) ? h.GetString() : null;
                    if (lfs.TryGetProperty("size", out var ls) && ls.TryGetInt64(out var lsize)) size = lsize;
                }
                files.Add(new RepositoryFile(name.GetString()!, size, sha256));
            }
        }
        return (commit, files);
    }

    private static bool IsSafeTensorsWeights(RepositoryFile f) =>
        f.Name.EndsWith(".safetensors", StringComparison.Ordinal) && !f.Name.StartsWith("consolidated", StringComparison.Ordinal);
}
