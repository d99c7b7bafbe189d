using System.Net;
using System.Text.RegularExpressions;
using LocalFineTune.Server.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests.Dashboard;

/// <summary>
/// Offline: every file the dashboard's pages reference (src/href, CSS url(), JS imports) is served by the app itself,
/// and no shipped file points at an absolute http(s) URL. The API reference page is served, from its own assets too.
/// </summary>
public sealed partial class DashboardAssetTests : IDisposable
{
    private readonly DashboardServer _server = new(apiKey: null);

    [GeneratedRegex("""(?:src|href)\s*=\s*["']([^"'#]+)["']""")]
    private static partial Regex HtmlReference();

    [GeneratedRegex("""(?:import\s[^'"]*?from\s*|import\s*\(\s*|import\s+)["']([^"']+)["']|url\(\s*["']?([^"')]+)["']?\s*\)""")]
    private static partial Regex CodeReference();

    // XML namespaces are identifiers that are never fetched (SVG's createElementNS and xmlns attributes).
    [GeneratedRegex("""https?://(?!www\.w3\.org/)[^\s"'`)]+""")]
    private static partial Regex AbsoluteUrl();

    [Fact]
    public async Task EveryReferencedAsset_IsServedByTheApp()
    {
        // The login page is only what / serves with a key; its references are read from the embedded copy.
        var assets = _server.Services.GetRequiredService<DashboardAssets>();
        var pending = new Queue<string>(References(System.Text.Encoding.UTF8.GetString(assets.Find("login.html")!.Content), "/").Prepend("/"));
        var fetched = new HashSet<string>();
        var linked = new List<string>();
        while (pending.TryDequeue(out var path))
        {
            // Links out of the dashboard (the API reference) are checked by their own test.
            if (path != "/" && !path.StartsWith(DashboardEndpoints.AssetPrefix + "/", StringComparison.Ordinal))
            {
                linked.Add(path);
                continue;
            }
            if (!fetched.Add(path)) continue;
            var response = await _server.Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, path));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
            var text = await response.Content.ReadAsStringAsync();
            foreach (var reference in References(text, path)) pending.Enqueue(reference);
        }

        Assert.Contains("/dashboard/assets/app.js", fetched);
        Assert.Contains("/dashboard/assets/chart.js", fetched);
        Assert.Contains("/dashboard/assets/login.js", fetched);
        Assert.Contains("/dashboard/assets/app.css", fetched);
        Assert.True(fetched.Count >= 12, string.Join(", ", fetched));
        Assert.Equal(["/api-reference"], linked.Distinct());
    }

    [Fact]
    public void NoShippedAsset_ReferencesAnAbsoluteUrl()
    {
        var assets = _server.Services.GetRequiredService<DashboardAssets>();
        var offenders = assets.Names
            .SelectMany(name => AbsoluteUrl().Matches(System.Text.Encoding.UTF8.GetString(assets.Find(name)!.Content)).Select(m => $"{name}: {m.Value}"))
            .ToList();

        Assert.True(assets.Names.Count() >= 10);
        Assert.Empty(offenders);
    }

    [Fact]
    public async Task ApiReference_IsServed_WithItsOwnAssetsOnly()
    {
        var redirect = await _server.Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/api-reference"));
        // Scalar redirects to the folder form (a relative Location), so its relative asset paths resolve under it.
        var page = redirect.Headers.Location is { } location ? new Uri(new Uri("http://host/api-reference"), location).AbsolutePath : "/api-reference";
        var response = await _server.Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, page));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("openapi/v1.json", html);
        Assert.Contains("\"withDefaultFonts\":false", html);
        var scripts = References(html, page).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(AbsoluteUrl().IsMatch(script), $"the API reference loads {script} from outside");
            Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync(script)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task UnknownAsset_Answers404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client.GetAsync("/dashboard/assets/nope.js")).StatusCode);
    }

    /// <summary>Same-site paths a file references, resolved against its own path; absolute URLs come back as-is.</summary>
    private static IEnumerable<string> References(string text, string from)
    {
        var found = HtmlReference().Matches(text).Select(m => m.Groups[1].Value)
            .Concat(CodeReference().Matches(text).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value));
        foreach (var reference in found.Where(r => !r.StartsWith("data:", StringComparison.Ordinal)))
        {
            if (AbsoluteUrl().IsMatch(reference) || reference.StartsWith('/')) yield return reference;
            else yield return new Uri(new Uri("http://host" + from), reference).AbsolutePath;
        }
    }

    public void Dispose() => _server.Dispose();
}
