using System.Net;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>LoRA through POST /api/finetune/start: the resolved method in the job, merged + adapter output, generation, 400s naming the field.</summary>
public sealed class LoraFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public LoraFlowTests()
    {
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task LoraJob_Succeeds_WithMergedWeightsAndAdapter_AndGenerates()
    {
        var jobId = await _client.StartJob("""
            {"model":"tiny","dataset_url":"train.csv","epochs":1,"learning_rate":1e-2,
             "method":"lora","lora":{"r":4,"alpha":8,"target_modules":["c_attn","c_fc"]}}
            """);
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(180));

        Assert.True("succeeded" == status.GetProperty("status").GetString(), status.ToString());
        Assert.Equal("lora", status.GetProperty("method").GetString());
        Assert.Equal(4, status.GetProperty("config").GetProperty("lora").GetProperty("r").GetInt32());
        var modelPath = status.GetProperty("model_path").GetString()!;
        Assert.True(File.Exists(Path.Combine(modelPath, "model.safetensors")));
        Assert.NotNull(AdapterFolders.AdapterDirOf(modelPath));
        var generated = await _client.PostJson("/api/generate", """{"model":"latest","prompt":"Frigo fait bruit fort","max_new_tokens":3,"temperature":0}""");
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
    }

    [Fact]
    public async Task AutoMethod_IsResolvedWhenTheJobIsCreated()
    {
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"train.csv","epochs":1}""");
        var status = await (await _client.GetAsync($"/api/finetune/status/{jobId}")).Json();
        Assert.Equal("full", status.GetProperty("method").GetString()); // a tiny base fits in memory
    }

    [Theory]
    [InlineData("""{"r":0}""", "lora.r")]
    [InlineData("""{"target_modules":["query"]}""", "lora.target_modules")]
    [InlineData("""{"target_modules":"q_proj"}""", "lora.target_modules")] // a llama name on a GPT-2 base: matches nothing
    [InlineData("""{"dropout":1.5}""", "lora.dropout")]
    public async Task BadLoraSettings_Answer400_NamingTheField(string lora, string field)
    {
        var response = await _client.PostJson("/api/finetune/start",
            $$"""{"model":"tiny","dataset_url":"train.csv","method":"lora","lora":{{lora}}}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task LoraSettingsWithMethodFull_Answer400()
    {
        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv","method":"full","lora":{"r":4}}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, "lora");
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
