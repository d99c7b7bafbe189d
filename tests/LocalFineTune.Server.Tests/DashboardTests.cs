using System.Net;
using System.Net.Http.Headers;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests;

/// <summary>Hangfire's dashboard at /hangfire: the API key guards it (header, or our dashboard's session cookie),
/// anti-forgery guards its buttons, and /api/finetune/info links it.</summary>
public sealed class DashboardTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private ServerFactory? _factory;

    private HttpClient Client(string? apiKey)
    {
        _factory = new ServerFactory(_folders, new FakeExecutor(), new Dictionary<string, string?> { ["LocalFineTune:ApiKey"] = apiKey });
        return _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
    }

    [Fact]
    public async Task Dashboard_WithApiKey_Is401WithoutTheKey_And200WithHeaderOrCookie()
    {
        var client = Client("s3cret");

        var none = await client.GetAsync("/hangfire");
        var wrong = await client.SendAsync(Get("/hangfire", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "nope")));
        var wrongCookie = await client.SendAsync(Get("/hangfire", r => r.Headers.Add("Cookie", "lft_session=nope")));
        var bearer = await client.SendAsync(Get("/hangfire", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret")));
        var header = await client.SendAsync(Get("/hangfire/jobs/enqueued", r => r.Headers.Add("X-Api-Key", "s3cret")));
        var session = _factory!.Services.GetRequiredService<LocalFineTune.Server.Hosting.ApiKeyCheck>().SessionToken;
        var cookie = await client.SendAsync(Get("/hangfire", r => r.Headers.Add("Cookie", $"lft_session={session}")));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongCookie.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Contains("Hangfire", await bearer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, header.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cookie.StatusCode);
    }

    [Fact]
    public async Task DashboardButton_WithTheKeyButNoAntiforgeryToken_Is403()
    {
        var client = Client("s3cret");
        var post = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/enqueued/delete")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") },
            Content = new FormUrlEncodedContent([new("jobs[]", "1")]),
        };

        var response = await client.SendAsync(post);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_WithoutAKeyConfigured_IsOpenLikeTheApi_AndLinkedFromInfo()
    {
        var client = Client(apiKey: null);

        var dashboard = await client.GetAsync("/hangfire");
        var info = await (await client.GetAsync("/api/finetune/info")).Json();

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.StartsWith("GET /hangfire", info.GetProperty("endpoints").GetProperty("dashboard").GetString());
    }

    private static HttpRequestMessage Get(string url, Action<HttpRequestMessage> configure)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure(request);
        return request;
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _folders.Dispose();
    }
}
