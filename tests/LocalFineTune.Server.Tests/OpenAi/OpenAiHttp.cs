using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>Raw HTTP helpers for the /v1 error-shape tests (the SDK hides the body of an error).</summary>
public static class OpenAiHttp
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> Body(this HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts OpenAI's {"error": {message, type, param, code}} with the status and param; returns the error object.</summary>
    public static async Task<JsonElement> AssertOpenAiError(this HttpResponseMessage response, HttpStatusCode status, string? param, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var error = doc.RootElement.GetProperty("error").Clone();
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.Equal(param, error.GetProperty("param").GetString());
        if (code is not null) Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }

    public static async Task<string> Upload(this HttpClient client, string content, string filename = "train.jsonl", string purpose = "fine-tune")
    {
        var response = await client.PostAsync("/v1/files", Multipart(content, filename, purpose));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Body()).GetProperty("id").GetString()!;
    }

    public static MultipartFormDataContent Multipart(string content, string filename, string? purpose)
    {
        var form = new MultipartFormDataContent();
        if (purpose is not null) form.Add(new StringContent(purpose), "purpose");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", filename);
        return form;
    }

    public static async Task<JsonElement> WaitForJob(this HttpClient client, string jobId, Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await (await client.GetAsync($"/v1/fine_tuning/jobs/{jobId}")).Body();
            if (done(job.GetProperty("status").GetString()!)) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {jobId} did not finish in {timeout}: {job}");
            await Task.Delay(150);
        }
    }
}
