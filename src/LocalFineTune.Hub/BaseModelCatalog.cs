namespace LocalFineTune.Hub;

/// <summary>
/// One base model users ask for by a short name (seed 004 says "phi", "phi2", "mistral", "neural").
/// <paramref name="Parameters"/> is the published count, used until the weights are on disk.
/// </summary>
public sealed record CatalogEntry(string Name, string Repository, string Family, long Parameters, int ContextLength, bool Gated,
    string Description)
{
    /// <summary>The page where a gated model's licence is accepted (the repository's page on the hub).</summary>
    public string LicencePage(string endpoint) => $"{endpoint.TrimEnd('/')}/{Repository}";
}

/// <summary>The short names `lft pull`, /api/finetune and /v1 accept, mapped to Hugging Face repositories.</summary>
public static class BaseModelCatalog
{
    public static IReadOnlyList<CatalogEntry> Entries { get; } =
    [
        new("gpt2", "openai-community/gpt2", "gpt2", 124_439_808, 1024, false, "GPT-2 small (124M)"),
        new("distilgpt2", "distilbert/distilgpt2", "gpt2", 81_912_576, 1024, false, "DistilGPT-2 (82M)"),
        new("phi", "microsoft/phi-1_5", "phi", 1_418_270_720, 2048, false, "Phi-1.5 (1.4B)"),
        new("phi2", "microsoft/phi-2", "phi", 2_779_683_840, 2048, false, "Phi-2 (2.7B)"),
        new("phi3", "microsoft/Phi-3-mini-4k-instruct", "phi3", 3_821_079_552, 4096, false, "Phi-3-mini-4k-instruct (3.8B)"),
        new("mistral", "mistralai/Mistral-7B-v0.1", "mistral", 7_241_732_096, 32768, true, "Mistral-7B v0.1"),
        new("neural", "Intel/neural-chat-7b-v3-1", "mistral", 7_241_732_096, 32768, false, "Intel neural-chat 7B v3.1 (a Mistral fine-tune)"),
        new("llama", "meta-llama/Llama-3.2-1B", "llama", 1_235_814_400, 131072, true, "Llama-3.2-1B"),
        new("qwen", "Qwen/Qwen2.5-0.5B", "qwen2", 494_032_768, 32768, false, "Qwen2.5-0.5B"),
    ];

    /// <summary>The entry for a short name (case-insensitive), or null.</summary>
    public static CatalogEntry? Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The repository and local folder name for what a user typed: a catalog name, or ORG/REPO (folder: the repo
    /// part, lower-cased, e.g. "Qwen/Qwen2.5-0.5B" → "qwen2.5-0.5b").
    /// </summary>
    public static (string Repository, string FolderName) Target(string nameOrRepository)
    {
        if (Find(nameOrRepository) is { } entry) return (entry.Repository, entry.Name);
        var parts = nameOrRepository.Split('/');
        if (parts.Length != 2 || parts.Any(p => !IsRepoPart(p)))
            throw new HubException($"'{nameOrRepository}' is neither a catalog name ({string.Join(", ", Entries.Select(e => e.Name))}) " +
                "nor a Hugging Face repository of the form ORG/REPO.");
        return (nameOrRepository, parts[1].ToLowerInvariant());
    }

    private static bool IsRepoPart(string part) =>
        part.Length is > 0 and <= 96 && part != "." && part != ".." &&
        part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
