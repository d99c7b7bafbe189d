using System.Globalization;

namespace LocalFineTune.Training.Output;

/// <summary>
/// models/&lt;base&gt;-finetuned-&lt;yyyyMMdd_HHmmss&gt;/ naming (the service contract). A name already taken — by a
/// finished folder or by a run still in progress — gets "-2", "-3", … so nothing is ever overwritten.
/// </summary>
public static class OutputFolders
{
    public const string TimestampFormat = "yyyyMMdd_HHmmss";
    public const string Infix = "-finetuned-";

    public static string FolderName(string baseModel, DateTime localTime) =>
        baseModel + Infix + localTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>A fresh folder name under <paramref name="modelsRoot"/> for a run of <paramref name="baseModel"/> started at <paramref name="now"/>.</summary>
    public static string NewName(string modelsRoot, string baseModel, DateTime now)
    {
        var name = FolderName(baseModel, now);
        for (var suffix = 2; IsTaken(modelsRoot, name); suffix++)
            name = FolderName(baseModel, now) + "-" + suffix.ToString(CultureInfo.InvariantCulture);
        return name;
    }

    /// <summary>The hidden folder a run works in (checkpoints); renamed to nothing public until training finished.</summary>
    public static string WorkFolder(string modelsRoot, string name) => Path.Combine(modelsRoot, "." + name + ".partial");

    /// <summary>The run name a checkpoint under models/.&lt;name&gt;.partial/checkpoints/ belongs to, if it is one of ours.</summary>
    public static string? RunNameOfCheckpoint(string checkpointPath)
    {
        var checkpoints = Path.GetDirectoryName(Path.GetFullPath(checkpointPath).TrimEnd(Path.DirectorySeparatorChar));
        var work = checkpoints is null ? null : Path.GetFileName(Path.GetDirectoryName(checkpoints));
        return work is { Length: > 9 } && work.StartsWith('.') && work.EndsWith(".partial") ? work[1..^".partial".Length] : null;
    }

    private static bool IsTaken(string root, string name) =>
        Directory.Exists(Path.Combine(root, name)) || Directory.Exists(WorkFolder(root, name));
}
