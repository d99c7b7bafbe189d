using System.Net;
using System.Text.Json.Nodes;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
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
        var config = JsonNode.Parse("""
            {"model_type":"phi","vocab_size":50257,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
             "num_attention_heads":4,"max_position_embeddings":64,"partial_rotary_factor":0.5,"hidden_act":"gelu_new",
             "bos_token_id":50256,"eos_token_id":50256,"tie_word_embeddings":false}
            """)!.AsObject();
        HfModelFolder.CreateRandomFolder(Path.Combine(_folders.ModelsRoot, "base", "phi"), ModelConfig.FromJson(config),
            Path.Combine(TestFolders.RepoRoot, "models", "base", "tiny-gpt2"), seed: 4);
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
