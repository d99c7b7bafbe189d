using System.Net;
using System.Text.Json.Nodes;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>Seed 004's flow with "model": "phi": a tiny random phi folder under models/base/phi/ (GPT-2's tokenizer, as phi-1.5 uses).</summary>
public sealed class PhiFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public PhiFlowTests()
    {
        TinyBases.CreatePhi(Path.Combine(_folders.ModelsRoot, "base", "phi"));
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Start_TrainsPhiToSucceeded_ThenTheModelIsListedAndGenerates()
    {
        var jobId = await _client.StartJob("""{"model":"phi","dataset_url":"train.csv","epochs":1,"batch_size":4,"learning_rate":1e-3}""");

        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(180));

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        var modelPath = Path.GetFullPath(status.GetProperty("model_path").GetString()!);
        Assert.Matches(@"phi-finetuned-\d{8}_\d{6}/?$", modelPath);
        Assert.Equal("phi", ModelCatalogTypeOf(modelPath));
        Assert.True(status.GetProperty("eval_loss_after").GetDouble() < status.GetProperty("eval_loss_before").GetDouble());
        var models = await (await _client.GetAsync("/api/finetune/models")).Json();
        Assert.Equal("phi", models.GetProperty("models")[0].GetProperty("base_model").GetString());
        var generated = await _client.PostJson("/api/generate", """{"model":"latest","prompt":"Frigo fait bruit fort","max_new_tokens":5,"temperature":0}""");
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        Assert.True((await generated.Json()).GetProperty("completion_tokens").GetInt32() >= 1);
    }

    private static string? ModelCatalogTypeOf(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))?["model_type"]?.GetValue<string>();

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
