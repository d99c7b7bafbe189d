using System.Net;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests.Dashboard;

/// <summary>GET / behind the API key: the login form, the session cookie it sets, and the anti-CSRF header rule.</summary>
public sealed class DashboardLoginTests : IDisposable
{
    private readonly DashboardServer _server = new();

    private HttpClient Client => _server.Client;

    [Fact]
    public async Task Root_ServesLoginPageNotTheApp_WhenKeyIsConfiguredAndNoSession()
    {
        var response = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("id=\"login-form\"", html);
        Assert.DoesNotContain("app.js", html);
        // The API behind it stays closed.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/api/finetune/jobs"))).StatusCode);
    }

    [Fact]
    public async Task Login_Answers401NamingApiKey_AndSetsNoCookie_WhenKeyIsWrong()
    {
        var response = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/dashboard/login", dashboardHeader: true, json: """{"api_key":"wrong"}"""));

        await response.AssertProblem(HttpStatusCode.Unauthorized, "api_key");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Login_SetsHttpOnlyStrictCookie_ThenRootServesTheAppAndTheApiAnswers()
    {
        var response = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/dashboard/login", dashboardHeader: true,
            json: $$"""{"api_key":"{{DashboardServer.Key}}"}"""));
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        var cookie = setCookie.Split(';')[0];

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.StartsWith("lft_session=", cookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(DashboardServer.Key, setCookie);
        var app = await (await Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/", cookie))).Content.ReadAsStringAsync();
        Assert.Contains("/dashboard/assets/app.js", app);
        Assert.DoesNotContain("login-form", app);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/api/finetune/jobs", cookie))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/v1/models", cookie))).StatusCode);
    }

    [Fact]
    public async Task Login_Answers403_WithoutTheDashboardHeader()
    {
        var response = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/dashboard/login", json: $$"""{"api_key":"{{DashboardServer.Key}}"}"""));

        await response.AssertProblem(HttpStatusCode.Forbidden, "X-LFT-Dashboard");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task ForgedCookie_IsRefused()
    {
        var response = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Get, "/api/finetune/jobs", "lft_session=" + DashboardServer.Key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CookiePost_IsRefused403WithoutDashboardHeader_AndAcceptedWithIt()
    {
        var cookie = await _server.LoginAsync();
        _server.Folders.WriteCsv("train.csv", 10);
        const string body = """{"model":"tiny","dataset_url":"train.csv"}""";

        var bare = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/api/finetune/start", cookie, json: body));
        var withHeader = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/api/finetune/start", cookie, dashboardHeader: true, json: body));

        await bare.AssertProblem(HttpStatusCode.Forbidden, "X-LFT-Dashboard");
        Assert.Equal(HttpStatusCode.Accepted, withHeader.StatusCode);
    }

    [Fact]
    public async Task CookiePostOnV1_IsRefused403InOpenAiShape_WithoutDashboardHeader()
    {
        var cookie = await _server.LoginAsync();
        const string body = """{"model":"tiny","prompt":"hi","max_tokens":1}""";

        var bare = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/v1/completions", cookie, json: body));
        var withHeader = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/v1/completions", cookie, dashboardHeader: true, json: body));

        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        Assert.Equal("missing_dashboard_header", (await bare.Json()).GetProperty("error").GetProperty("code").GetString());
        Assert.NotEqual(HttpStatusCode.Forbidden, withHeader.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, withHeader.StatusCode);
    }

    [Fact]
    public async Task Logout_ExpiresTheCookie()
    {
        var response = await Client.SendAsync(DashboardServer.Browser(HttpMethod.Post, "/dashboard/logout", await _server.LoginAsync()));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("expires=Thu, 01 Jan 1970", response.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Root_AnswersAJsonIndex_ToClientsThatDoNotAskForHtml()
    {
        var index = await (await Client.GetAsync("/")).Json();

        Assert.Equal("/api-reference", index.GetProperty("api_reference").GetString());
        Assert.Equal("/openapi/v1.json", index.GetProperty("openapi").GetString());
        Assert.True(index.GetProperty("api_key_required").GetBoolean());
    }

    public void Dispose() => _server.Dispose();
}
