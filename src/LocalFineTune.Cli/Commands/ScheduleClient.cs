using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// The HTTP side of `lft schedule`: a small client for /api/finetune/schedules on a running `lft serve`. A ProblemDetails
/// answer becomes a <see cref="ScheduleClientException"/> carrying the server's own message and the field it names.
/// </summary>
internal sealed class ScheduleClient(string server, string? apiKey) : IDisposable
{
    public const string DefaultServer = LocalFineTune.Server.Configuration.ServerConfiguration.DefaultUrl;
    private readonly HttpClient _http = Create(server, apiKey);

    public Task<JsonNode> AddAsync(JsonObject body) => SendAsync(HttpMethod.Post, "", body);
    public Task<JsonNode> ListAsync() => SendAsync(HttpMethod.Get, "", null);
    public Task<JsonNode> RemoveAsync(string id) => SendAsync(HttpMethod.Delete, "/" + Uri.EscapeDataString(id), null);
    public Task<JsonNode> RunNowAsync(string id) => SendAsync(HttpMethod.Post, $"/{Uri.EscapeDataString(id)}/run", null);

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, "api/finetune/schedules" + path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            throw new ScheduleClientException($"cannot reach the server at {_http.BaseAddress} ({e.Message}); start it with `lft serve` or pass --server URL.");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode) return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
            throw new ScheduleClientException(ProblemText((int)response.StatusCode, text));
        }
    }

    private static string ProblemText(int status, string text)
    {
        try
        {
            var problem = JsonNode.Parse(text)!.AsObject();
            var param = problem["param"]?.GetValue<string>();
            var detail = problem["detail"]?.GetValue<string>() ?? problem["title"]?.GetValue<string>() ?? text;
            return $"{status}{(param is null ? "" : $" ({param})")}: {detail}";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return $"{status}: {text}";
        }
    }

    private static HttpClient Create(string server, string? apiKey)
    {
        if (!Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            throw new ScheduleClientException($"--server '{server}' is not an http(s) URL such as {DefaultServer}.");
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(apiKey)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    public void Dispose() => _http.Dispose();
}

internal sealed class ScheduleClientException(string message) : Exception(message);
