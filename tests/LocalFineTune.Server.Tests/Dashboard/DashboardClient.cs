using System.Net.Http.Headers;
using System.Text;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LocalFineTune.Server.Tests.Dashboard;

/// <summary>
/// A test server with (or without) an API key and a client that handles no cookies by itself, so each test says
/// exactly which cookie and headers a request carries, as a browser would send them.
/// </summary>
public sealed class DashboardServer : IDisposable
{
    public const string Key = "dash-s3cret";

    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;

    public DashboardServer(string? apiKey = Key)
    {
        _factory = new ServerFactory(_folders, new FakeExecutor(), new Dictionary<string, string?> { ["LocalFineTune:ApiKey"] = apiKey });
        Client = _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
    }

    public HttpClient Client { get; }

    public TestFolders Folders => _folders;

    public IServiceProvider Services => _factory.Services;

    public static HttpRequestMessage Browser(HttpMethod method, string path, string? cookie = null, bool dashboardHeader = false, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (dashboardHeader) request.Headers.Add("X-LFT-Dashboard", "1");
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Logs in with the right key and returns the "name=value" pair a browser would send back.</summary>
    public async Task<string> LoginAsync()
    {
        var response = await Client.SendAsync(Browser(HttpMethod.Post, "/dashboard/login", dashboardHeader: true, json: $$"""{"api_key":"{{Key}}"}"""));
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    public void Dispose()
    {
        Client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
