using System.Net;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

public sealed class CatalogEndpointTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public CatalogEndpointTests()
    {
        _factory = new ServerFactory(_folders, new FakeExecutor());
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Start_Answers400WithExactPullCommand_WhenCatalogBaseIsNotDownloaded()
    {
        var response = await _client.PostJson("/api/finetune/start", """{"model":"phi","dataset_url":"train.csv"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("model_not_downloaded", body.GetProperty("code").GetString());
        Assert.Contains("`lft pull phi`", body.GetProperty("detail").GetString());
        Assert.Equal("lft pull phi", body.GetProperty("pull_command").GetString());
    }

    [Fact]
    public async Task Info_ListsCatalogWithPresenceAndMemory_WhenOneBaseIsLocal()
    {
        CopyTinyAs("gpt2");

        var info = await (await _client.GetAsync("/api/finetune/info")).Json();

        var catalog = info.GetProperty("catalog").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(["gpt2", "distilgpt2", "phi", "phi2", "phi3", "mistral", "neural", "llama", "qwen"], catalog.Keys);
        var phi = catalog["phi"];
        Assert.False(phi.GetProperty("present").GetBoolean());
        Assert.Equal("microsoft/phi-1_5", phi.GetProperty("repository").GetString());
        Assert.Equal("published", phi.GetProperty("parameters_source").GetString());
        Assert.Equal("lft pull phi", phi.GetProperty("pull_command").GetString());
        Assert.Equal(Math.Round(phi.GetProperty("parameters").GetInt64() * 16 / 1e9, 2), phi.GetProperty("full_fine_tune_gb").GetDouble());
        Assert.True(catalog["llama"].GetProperty("gated").GetBoolean());
        var gpt2 = catalog["gpt2"];
        Assert.True(gpt2.GetProperty("present").GetBoolean());
        Assert.Equal("safetensors", gpt2.GetProperty("parameters_source").GetString());
        Assert.InRange(gpt2.GetProperty("parameters").GetInt64(), 1, 100_000_000); // the tiny test weights, not GPT-2's 124M
        Assert.Contains("16 bytes", info.GetProperty("memory_formulas").GetProperty("full").GetString());
    }

    [Fact]
    public async Task CreateJob_Answers400InOpenAiShapeWithPullCommand_WhenCatalogBaseIsNotDownloaded()
    {
        var upload = new MultipartFormDataContent
        {
            { new StringContent("fine-tune"), "purpose" },
            { new ByteArrayContent("{\"prompt\":\"a\",\"completion\":\"b\"}\n"u8.ToArray()), "file", "train.jsonl" },
        };
        var file = await (await _client.PostAsync("/v1/files", upload)).Json();

        var response = await _client.PostJson("/v1/fine_tuning/jobs", $$"""{"model":"mistral","training_file":"{{file.GetProperty("id").GetString()}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Json()).GetProperty("error");
        Assert.Equal("model_not_downloaded", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Contains("`lft pull mistral`", error.GetProperty("message").GetString());
        Assert.Contains("HF_TOKEN", error.GetProperty("message").GetString());
    }

    private void CopyTinyAs(string name)
    {
        var source = Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase);
        var target = Path.Combine(_folders.ModelsRoot, "base", name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
