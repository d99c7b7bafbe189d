using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>With an API key configured, every mapped route (both APIs) refuses a request without the key; only /health and the dashboard's login page are open.</summary>
public sealed partial class AuthWalkTests : IDisposable
{
    private readonly OpenAiTestServer _server = new(new Dictionary<string, string?> { ["LocalFineTune:ApiKey"] = OpenAiTestServer.ApiKey });
    private readonly HttpClient _client;

    public AuthWalkTests() => _client = _server.CreateClient();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task EveryEndpoint_Answers401_WhenNoKeyIsSent()
    {
        var endpoints = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.StartsWith("/v1/fine_tuning", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.StartsWith("/api/finetune", StringComparison.Ordinal));
        var open = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText!, "x").TrimStart('/');
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                if (response.StatusCode != HttpStatusCode.Unauthorized) open.Add($"{method} {path} → {(int)response.StatusCode}");
            }
        }
        // The dashboard's login page (GET / without a session), its assets (code, no data) and login/logout are the
        // only other open routes; the dashboard's data comes from the API behind the key.
        Assert.Equal(["GET /health → 200", "GET / → 200", "GET /dashboard/assets/x → 404", "POST /dashboard/login → 403", "POST /dashboard/logout → 204"], open);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer sk-local-test-ke")]
    public async Task V1_Answers401AuthenticationError_WhenKeyIsMissingOrWrong(string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        if (authorization is not null) request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        var error = await (await _client.SendAsync(request)).AssertOpenAiError(HttpStatusCode.Unauthorized, null, "invalid_api_key");
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task V1_Answers200_WhenBearerKeyIsRight()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OpenAiTestServer.ApiKey);
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains((await response.Body()).GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "tiny");
    }

    [Fact]
    public async Task OpenAiSdk_GetsAuthenticationError_WhenKeyIsWrong()
    {
        var models = _server.CreateOpenAiClient("sk-wrong").GetOpenAIModelClient();
        var error = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => models.GetModelsAsync());
        Assert.Equal(401, error.Status);
    }

    public void Dispose() => _server.Dispose();
}
