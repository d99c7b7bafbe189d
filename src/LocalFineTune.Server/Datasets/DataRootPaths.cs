using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Datasets;

/// <summary>
/// Resolves a relative dataset_url under the data root and proves it stays there: no "..", no absolute path, and no
/// symbolic link (anywhere along the path) that leads outside the root. Each refusal is a 400 naming dataset_url.
/// </summary>
public static class DataRootPaths
{
    private const string Param = "dataset_url";

    public static string Resolve(string dataRoot, string relative)
    {
        if (relative.Contains('\0') || relative.Length > 4096)
        {
            throw Refused("path_not_allowed", "dataset_url contains a NUL character or is too long; send a plain relative path such as data/train.csv.");
        }
        if (Path.IsPathRooted(relative) || relative.StartsWith('~') || (relative.Length >= 2 && relative[1] == ':'))
        {
            throw Refused("path_not_allowed",
                $"dataset_url '{relative}' is an absolute path; give a path relative to the data root '{dataRoot}', e.g. data/train.csv, or an https:// URL.");
        }
        var segments = relative.Split('/', '\\');
        if (segments.Any(s => s == ".."))
        {
            throw Refused("path_not_allowed",
                $"dataset_url '{relative}' contains '..'; datasets must stay under the data root '{dataRoot}'. Move the file there and use its relative path.");
        }
        var root = RealPath(Path.GetFullPath(dataRoot));
        var real = RealPath(Path.GetFullPath(Path.Combine(root, relative)));
        if (!IsUnder(real, root))
        {
            throw Refused("path_not_allowed",
                $"dataset_url '{relative}' leads outside the data root '{root}' through a symbolic link; copy the file under the data root instead.");
        }
        if (!File.Exists(real) && !Directory.Exists(real))
        {
            throw Refused("dataset_not_found",
                $"No dataset at '{relative}' under the data root '{root}'. Check the path (it is relative to the data root) or upload the file there first.");
        }
        return real;
    }

    public static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it resolved (like realpath), for the parts that exist.</summary>
    public static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        var parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists)
            {
                // The rest does not exist: nothing further can be a link.
                return Path.GetFullPath(Path.Combine([next, .. parts[(i + 1)..]]));
            }
            var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
            current = target is null ? next : RealPath(Path.GetFullPath(target.FullName));
        }
        return current;
    }

    private static ApiProblemException Refused(string code, string detail) => new(Param, code, detail);
}
