using System.Net;
using System.Text;
using System.Text.Json;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>Small HTTP helpers shared by the endpoint tests.</summary>
public static class Api
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, contentType));

    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts a ProblemDetails answer with the status and the field it names.</summary>
    public static async Task<JsonElement> AssertProblem(this HttpResponseMessage response, HttpStatusCode status, string param)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal(param, problem.GetProperty("param").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    public static async Task<string> StartJob(this HttpClient client, string body)
    {
        var response = await client.PostJson("/api/finetune/start", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Json()).GetProperty("job_id").GetString()!;
    }

    public static async Task<JsonElement> WaitForStatus(this HttpClient client, string jobId, Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement status;
        do
        {
            status = await (await client.GetAsync($"/api/finetune/status/{jobId}")).Json();
            if (done(status.GetProperty("status").GetString()!)) return status;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Job {jobId} did not reach the expected status in {timeout}; last: {status}");
    }

    public static bool IsFinal(string status) => status is "succeeded" or "failed" or "cancelled";
}
