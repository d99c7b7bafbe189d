using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Catalog;

/// <summary>
/// What "latest" means. Each base has one latest: the folder its stored pointer names (<see cref="IModelPointers"/>,
/// set by promotion), or, when no pointer is stored or its folder is gone, the base's newest folder — so installs
/// from before the pointer existed keep working. "latest:&lt;base&gt;" names one base's latest; plain "latest" is the
/// most recently promoted pointer of any base, or the newest folder of all when no pointer is stored.
/// </summary>
public static class LatestModels
{
    public const string Promoted = "promoted";
    public const string Newest = "newest";
    private const string BasePrefix = ModelCatalog.Latest + ":";

    public static bool IsLatestName(string name) =>
        string.Equals(name, ModelCatalog.Latest, StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith(BasePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Marks each base's latest in <paramref name="folders"/> (newest first, unmarked).</summary>
    public static IReadOnlyList<FineTunedModelInfo> Mark(IReadOnlyList<FineTunedModelInfo> folders, IModelPointers? pointers)
    {
        var stored = (pointers?.ListLatest() ?? []).ToDictionary(p => p.BaseModel, p => p.ModelName, StringComparer.Ordinal);
        var marked = folders.ToList();
        foreach (var group in folders.GroupBy(f => f.BaseModel, StringComparer.Ordinal))
        {
            var promoted = stored.TryGetValue(group.Key, out var name) ? group.FirstOrDefault(f => f.Name == name) : null;
            var latest = promoted ?? group.First();
            marked[marked.IndexOf(latest)] = latest with { Latest = true, LatestSource = promoted is null ? Newest : Promoted };
        }
        return marked;
    }

    /// <summary>The folder that <paramref name="name"/> ("latest" or "latest:&lt;base&gt;") means, or a 400 saying why there is none.</summary>
    public static FineTunedModelInfo Find(IReadOnlyList<FineTunedModelInfo> marked, IModelPointers? pointers, string name, string param, string available)
    {
        if (name.Length > BasePrefix.Length)
        {
            var baseModel = name[BasePrefix.Length..];
            return marked.FirstOrDefault(f => f.Latest && f.BaseModel == baseModel) ?? throw new ApiProblemException(param, "model_not_found",
                $"model '{ClientText.Echo(name)}' means the latest fine-tune of base '{ClientText.Echo(baseModel)}', and it has none yet; " +
                "fine-tune it first or name another model: " + available);
        }
        var promoted = marked.Where(f => f.LatestSource == Promoted).ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var pointer in pointers?.ListLatest() ?? [])
        {
            if (promoted.TryGetValue(pointer.ModelName, out var folder)) return folder;
        }
        return marked.FirstOrDefault() ?? throw new ApiProblemException(param, "model_not_found",
            "model 'latest' means the most recently promoted fine-tuned model, and there is none yet; fine-tune one first or name a base model: " + available);
    }
}
