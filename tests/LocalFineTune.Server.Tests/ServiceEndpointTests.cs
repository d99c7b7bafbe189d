using System.Net;
using System.Net.Http.Headers;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>Info, models, health, OpenAPI and the API key.</summary>
public sealed class ServiceEndpointTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private ServerFactory? _factory;

    private HttpClient Client(string? apiKey = null)
    {
        _factory = new ServerFactory(_folders, new FakeExecutor(), new Dictionary<string, string?> { ["LocalFineTune:ApiKey"] = apiKey });
        return _factory.CreateClient();
    }

    [Fact]
    public async Task Info_ListsBasesOnDiskFormatsAndDevices()
    {
        var info = await (await Client().GetAsync("/api/finetune/info")).Json();

        Assert.True(info.GetProperty("available").GetBoolean());
        Assert.Equal("tiny", info.GetProperty("supported_models")[0].GetString());
        Assert.Equal(["csv", "jsonl"], info.GetProperty("supported_formats").EnumerateArray().Select(f => f.GetString()));
        Assert.True(info.GetProperty("endpoints").TryGetProperty("start", out _));
        var cpu = info.GetProperty("devices")[0];
        Assert.Equal("cpu", cpu.GetProperty("name").GetString());
        Assert.True(cpu.GetProperty("memory_total_mb").GetDouble() > 0);
    }

    [Fact]
    public async Task Models_ListsFineTunedFoldersNewestFirst_WithLatestFlag()
    {
        foreach (var name in new[] { "tiny-finetuned-20240114_150000", "tiny-finetuned-20240115_103045" })
        {
            var dir = Path.Combine(_folders.ModelsRoot, name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"model_type\":\"gpt2\"}");
        }
        Directory.CreateDirectory(Path.Combine(_folders.ModelsRoot, ".tiny-finetuned-20250101_000000.partial"));

        var list = await (await Client().GetAsync("/api/finetune/models")).Json();

        Assert.Equal(2, list.GetProperty("total").GetInt32());
        var newest = list.GetProperty("models")[0];
        Assert.Equal("tiny-finetuned-20240115_103045", newest.GetProperty("name").GetString());
        Assert.Equal("tiny", newest.GetProperty("base_model").GetString());
        Assert.Equal("2024-01-15T10:30:45", newest.GetProperty("created").GetString());
        Assert.True(newest.GetProperty("latest").GetBoolean());
        Assert.False(list.GetProperty("models")[1].GetProperty("latest").GetBoolean());
    }

    [Fact]
    public async Task Health_AnswersOk()
    {
        var health = await (await Client().GetAsync("/health")).Json();

        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_DocumentListsEveryRoute()
    {
        var doc = await (await Client().GetAsync("/openapi/v1.json")).Json();

        var paths = doc.GetProperty("paths");
        foreach (var route in new[] { "/api/finetune/info", "/api/finetune/start", "/api/finetune/validate", "/api/finetune/status/{job_id}", "/api/finetune/models",
                     "/api/finetune/jobs", "/api/finetune/jobs/{id}/cancel", "/api/finetune/jobs/{id}/events", "/api/generate", "/health" })
        {
            Assert.True(paths.TryGetProperty(route, out _) || paths.TryGetProperty(route + "/", out _), $"{route} missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task ApiKey_Requires401OnEveryRouteButHealth_WhenConfigured()
    {
        var client = Client(apiKey: "s3cret");

        var info = await client.GetAsync("/api/finetune/info");
        var start = await client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv"}""");
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/finetune/models") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "nope") } };
        var right = new HttpRequestMessage(HttpMethod.Get, "/api/finetune/models") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") } };

        await info.AssertProblem(HttpStatusCode.Unauthorized, "Authorization");
        await start.AssertProblem(HttpStatusCode.Unauthorized, "Authorization");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(right)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_AnswersProblemDetails404()
    {
        var response = await Client().GetAsync("/api/finetune/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"prompt":"hi"}""", "model")]
    [InlineData("""{"model":"tiny"}""", "prompt")]
    [InlineData("""{"model":"nope","prompt":"hi"}""", "model")]
    [InlineData("""{"model":"latest","prompt":"hi"}""", "model")]
    [InlineData("""{"model":"tiny","prompt":"hi","max_new_tokens":0}""", "max_new_tokens")]
    [InlineData("""{"model":"tiny","prompt":"hi","temperature":-1}""", "temperature")]
    [InlineData("""{"model":"/etc","prompt":"hi"}""", "model")]
    public async Task Generate_Answers400_WhenRequestIsInvalid(string body, string param)
    {
        var response = await Client().PostJson("/api/generate", body);

        await response.AssertProblem(HttpStatusCode.BadRequest, param);
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _folders.Dispose();
    }
}
