using System.Globalization;
using LocalFineTune.Models.Loading;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace LocalFineTune.Training.Output;

/// <summary>One fine-tuned folder, with the fields /api/finetune/models returns (snake_case in JSON).</summary>
public sealed record FineTunedModelInfo(
    string Name,
    [property: JsonPropertyName("base_model")] string BaseModel,
    DateTime Created,
    [property: JsonPropertyName("size_mb")] double SizeMb,
    bool Latest,
    string Path);

/// <summary>Lists models/*-finetuned-*/ folders. Hidden work folders (runs in progress, cancelled runs) are not models.</summary>
public static partial class FineTunedModels
{
    [GeneratedRegex(@"^(?<base>.+)-finetuned-(?<stamp>\d{8}_\d{6})(-(?<n>\d+))?$")]
    private static partial Regex NamePattern();

    /// <summary>Newest first; exactly one (the newest) has Latest = true.</summary>
    public static IReadOnlyList<FineTunedModelInfo> List(string modelsRoot)
    {
        if (!Directory.Exists(modelsRoot)) return [];
        var found = new List<(FineTunedModelInfo Info, int Suffix)>();
        foreach (var dir in Directory.EnumerateDirectories(modelsRoot))
        {
            var name = System.IO.Path.GetFileName(dir);
            var match = NamePattern().Match(name);
            if (!match.Success || AdapterFolders.DescriptorOf(dir) is null) continue;
            var created = DateTime.ParseExact(match.Groups["stamp"].Value, OutputFolders.TimestampFormat, CultureInfo.InvariantCulture);
            var suffix = match.Groups["n"].Success ? int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) : 1;
            found.Add((new FineTunedModelInfo(name, match.Groups["base"].Value, created, SizeMb(dir), false, dir), suffix));
        }
        var ordered = found.OrderByDescending(f => f.Info.Created).ThenByDescending(f => f.Suffix).Select(f => f.Info).ToList();
        if (ordered.Count > 0) ordered[0] = ordered[0] with { Latest = true };
        return ordered;
    }

    /// <summary>"latest" → the newest fine-tuned folder, or null when there is none.</summary>
    public static string? Latest(string modelsRoot) => List(modelsRoot).FirstOrDefault()?.Path;

    private static double SizeMb(string dir)
    {
        var bytes = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        return Math.Round(bytes / (1024.0 * 1024.0), 1);
    }
}
