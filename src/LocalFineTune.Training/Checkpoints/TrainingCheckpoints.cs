using System.Globalization;
using System.Text.RegularExpressions;

namespace LocalFineTune.Training.Checkpoints;

/// <summary>
/// checkpoint-&lt;step&gt;/ folders. Each is written into a hidden temp folder, finished with a marker file, then
/// renamed into place, so a reader never sees a half-written checkpoint; folders without the marker (a crash
/// copied by hand, a failed rename) are ignored.
/// </summary>
public static partial class TrainingCheckpoints
{
    public const string CompleteMarker = "checkpoint_complete";
    public const string Prefix = "checkpoint-";

    [GeneratedRegex(@"^checkpoint-(\d+)$")]
    private static partial Regex NamePattern();

    public static string FolderName(int step) => Prefix + step.ToString(CultureInfo.InvariantCulture);

    /// <summary>True for a finished checkpoint folder (marker and trainer state present).</summary>
    public static bool IsComplete(string checkpointDir) =>
        File.Exists(Path.Combine(checkpointDir, CompleteMarker)) && File.Exists(Path.Combine(checkpointDir, TrainerState.FileName));

    /// <summary>Complete checkpoints under <paramref name="directory"/>, oldest (lowest step) first.</summary>
    public static IReadOnlyList<(int Step, string Path)> ListComplete(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateDirectories(directory)
            .Select(path => (Match: NamePattern().Match(System.IO.Path.GetFileName(path)), Path: path))
            .Where(x => x.Match.Success && IsComplete(x.Path))
            .Select(x => (int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Path))
            .OrderBy(x => x.Item1)
            .ToList();
    }

    /// <summary>The newest complete checkpoint, or null: what the service resumes from after a crash.</summary>
    public static string? FindLatestComplete(string directory) =>
        ListComplete(directory) is { Count: > 0 } all ? all[^1].Path : null;

    /// <summary>
    /// Writes a checkpoint atomically: <paramref name="writeContent"/> fills a temp folder, the marker is written
    /// last, then one rename publishes it. A leftover temp folder from a crash is replaced.
    /// </summary>
    public static string Write(string directory, int step, Action<string> writeContent)
    {
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, FolderName(step));
        var temp = Path.Combine(directory, "." + FolderName(step) + ".tmp");
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        writeContent(temp);
        File.WriteAllText(Path.Combine(temp, CompleteMarker), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temp, final);
        return final;
    }

    /// <summary>Deletes the oldest complete checkpoints beyond <paramref name="keep"/> (0 = keep all) and stale temp folders.</summary>
    public static void Prune(string directory, int keep)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var temp in Directory.EnumerateDirectories(directory, ".checkpoint-*.tmp"))
            Directory.Delete(temp, recursive: true);
        if (keep <= 0) return;
        var complete = ListComplete(directory);
        foreach (var (_, path) in complete.Take(Math.Max(0, complete.Count - keep)))
            Directory.Delete(path, recursive: true);
    }
}
