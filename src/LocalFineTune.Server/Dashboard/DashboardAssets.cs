using System.Collections.Frozen;
using System.Security.Cryptography;

namespace LocalFineTune.Server.Dashboard;

/// <summary>One shipped file of the dashboard: its bytes, media type and a content hash for ETag.</summary>
public sealed record DashboardAsset(string Name, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The dashboard's HTML, CSS and JavaScript, embedded in this assembly (Dashboard/Assets/**, logical names
/// "dashboard/&lt;file&gt;"), so `lft serve` works offline and from any folder: nothing is read from disk or a CDN.
/// </summary>
public sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, DashboardAsset> _assets = Load();

    public IEnumerable<string> Names => _assets.Keys;

    public DashboardAsset? Find(string name) => _assets.GetValueOrDefault(name);

    private static FrozenDictionary<string, DashboardAsset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource[Prefix.Length..].Replace('\\', '/');
            var type = Types.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            assets[name] = new DashboardAsset(name, bytes, type, $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }
        if (!assets.ContainsKey("index.html") || !assets.ContainsKey("login.html"))
        {
            throw new InvalidOperationException("The dashboard's assets are missing from LocalFineTune.Server.dll (Dashboard/Assets as EmbeddedResource).");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
