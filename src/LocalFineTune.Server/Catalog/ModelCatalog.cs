using System.Text.Json;
using LocalFineTune.Hub;
using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Catalog;

/// <summary>A base model folder under models/base/.</summary>
public sealed record BaseModelInfo(string Name, string Path, string? ModelType, bool HasWeights);

/// <summary>One fine-tuned output folder, in the seed's /api/finetune/models shape.</summary>
/// <param name="Latest">This folder is its base's latest.</param>
/// <param name="LatestSource">For the latest of a base: "promoted" (the stored pointer) or "newest" (no pointer stored, so the newest folder).</param>
public sealed record FineTunedModelInfo(string Name, string BaseModel, DateTime Created, double SizeMb, bool Latest, string Path, string? LatestSource = null);

/// <summary>
/// What is on disk under the models root: bases in base/&lt;name&gt;/ and outputs in &lt;base&gt;-finetuned-&lt;yyyyMMdd_HHmmss&gt;/.
/// Read fresh on each call: users copy bases in by hand while the service runs.
/// </summary>
public sealed class ModelCatalog(string modelsRoot, IModelPointers? pointers = null)
{
    /// <summary>Architectures the Models layer can load and train today.</summary>
    public static readonly IReadOnlySet<string> SupportedModelTypes = new HashSet<string>(LocalFineTune.Models.Families.ModelFamilies.SupportedModelTypes, StringComparer.OrdinalIgnoreCase);

    public const string Latest = "latest";

    public string ModelsRoot { get; } = System.IO.Path.GetFullPath(modelsRoot);
    public string BaseRoot => System.IO.Path.Combine(ModelsRoot, "base");

    public IReadOnlyList<BaseModelInfo> ListBases()
    {
        if (!Directory.Exists(BaseRoot))
        {
            return [];
        }
        return Directory.EnumerateDirectories(BaseRoot)
            .Where(d => !System.IO.Path.GetFileName(d).StartsWith('.'))
            .Select(d => new BaseModelInfo(System.IO.Path.GetFileName(d), d, ReadModelType(d), HasWeights(d)))
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Where "latest" is stored; null for a catalog without a database (then the newest folder is latest).</summary>
    public IModelPointers? Pointers { get; } = pointers;

    /// <summary>Newest first; each base's latest (<see cref="LatestModels"/>) is marked. The Training layer owns the naming rules.</summary>
    public IReadOnlyList<FineTunedModelInfo> ListFineTuned()
    {
        var folders = LocalFineTune.Training.Output.FineTunedModels.List(ModelsRoot)
            .Select(m => new FineTunedModelInfo(m.Name, m.BaseModel, m.Created, m.SizeMb, false, RelativeToCurrent(m.Path)))
            .ToList();
        return LatestModels.Mark(folders, Pointers);
    }

    /// <summary>
    /// The folder for a model name given by a user: a base name, a fine-tuned folder name, "latest" or
    /// "latest:&lt;base&gt;" (<see cref="LatestModels"/>), or, when <paramref name="allowPath"/>, a path inside the models root. 400 listing what exists otherwise.
    /// </summary>
    public string Resolve(string name, bool allowPath, string param = "model")
    {
        if (LatestModels.IsLatestName(name))
        {
            return System.IO.Path.GetFullPath(LatestModels.Find(ListFineTuned(), Pointers, name, param, AvailableText()).Path);
        }
        if (IsPlainName(name))
        {
            var underBase = System.IO.Path.Combine(BaseRoot, name);
            if (Directory.Exists(underBase)) return underBase;
            var output = System.IO.Path.Combine(ModelsRoot, name);
            if (Directory.Exists(output) && ListFineTuned().Any(f => f.Name == name)) return output;
        }
        else if (allowPath)
        {
            // "", "\0" or an over-long name is no path at all: an unknown model, not an ArgumentException (500).
            var full = FullPathOrNull(name);
            if (full is not null && Directory.Exists(full) && Datasets.DataRootPaths.IsUnder(Datasets.DataRootPaths.RealPath(full), Datasets.DataRootPaths.RealPath(ModelsRoot)))
            {
                return full;
            }
        }
        if (IsPlainName(name) && BaseModelCatalog.Find(name) is { } entry)
        {
            throw NotDownloaded(entry, param);
        }
        throw new ApiProblemException(param, "model_not_found",
            $"Unknown model '{ClientText.Echo(name)}'. Available: {AvailableText()}. Put a Hugging Face folder under {BaseRoot}/<name>/ to add a base.",
            extra: new Dictionary<string, object?> { ["available"] = AvailableNames() });
    }

    private static string? FullPathOrNull(string name)
    {
        try
        {
            return name.Length == 0 || name.Contains('\0') ? null : System.IO.Path.GetFullPath(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>A catalog name whose folder is not on disk yet: say the exact command that downloads it.</summary>
    private ApiProblemException NotDownloaded(CatalogEntry entry, string param)
    {
        var gated = entry.Gated
            ? $" {entry.Repository} is gated: accept its licence at {entry.LicencePage("https://huggingface.co")} and set HF_TOKEN before pulling."
            : "";
        return new ApiProblemException(param, "model_not_downloaded",
            $"Base model '{entry.Name}' ({entry.Repository}) is not downloaded yet: run `lft pull {entry.Name}` " +
            $"(it writes {System.IO.Path.Combine(BaseRoot, entry.Name)}/), then start the job again.{gated} Available now: {AvailableText()}.",
            extra: new Dictionary<string, object?>
            {
                ["pull_command"] = $"lft pull {entry.Name}", ["repository"] = entry.Repository, ["available"] = AvailableNames(),
            });
    }

    public IReadOnlyList<string> AvailableNames() =>
        [.. ListBases().Select(b => b.Name), .. ListFineTuned().Select(f => f.Name), .. ListFineTuned().Count > 0 ? new[] { Latest } : []];

    private string AvailableText() => AvailableNames() is { Count: > 0 } names ? string.Join(", ", names) : "(none: models/base/ is empty)";

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 200 && name.IndexOfAny(['/', '\\', '\0']) < 0 && name != "." && name != "..";

    public static string? ReadModelType(string dir)
    {
        try
        {
            var config = System.IO.Path.Combine(dir, "config.json");
            if (!File.Exists(config)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            return doc.RootElement.TryGetProperty("model_type", out var type) ? type.GetString() : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool HasWeights(string dir) =>
        File.Exists(System.IO.Path.Combine(dir, "model.safetensors")) || File.Exists(System.IO.Path.Combine(dir, "model.safetensors.index.json"));

    private static string RelativeToCurrent(string path)
    {
        var relative = System.IO.Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
