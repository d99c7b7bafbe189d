using System.Net;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server.Inference;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Torch;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests.Inference;

/// <summary>What LoRA jobs with merge off publish is served through the model cache: one base, one adapter per fine-tune.</summary>
public sealed class LoraJobServingTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public LoraJobServingTests()
    {
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task TwoAdapterOnlyJobsOfOneBase_ServeOnOneCachedBase_WithWhatTheirFoldersLoadAs()
    {
        var first = await TrainAdapterOnly(seed: 1);
        var second = await TrainAdapterOnly(seed: 2);
        var cache = _factory.Services.GetRequiredService<ModelCache>();

        var firstText = await Generate(Path.GetFileName(first));
        var secondText = await Generate(Path.GetFileName(second));
        await Generate(TestFolders.TinyBase); // the base itself: no further load

        Assert.Equal(Reference(first), firstText);
        Assert.Equal(Reference(second), secondText);
        var baseDir = Path.GetFullPath(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase));
        Assert.Equal(3, cache.Stats.Loads); // the base once, then each adapter
        Assert.Contains("model:" + baseDir, cache.CachedKeys);
        Assert.Contains("adapter:" + Path.Combine(Path.GetFullPath(first), "adapter"), cache.CachedKeys);
        Assert.Contains("adapter:" + Path.Combine(Path.GetFullPath(second), "adapter"), cache.CachedKeys);
    }

    private async Task<string> TrainAdapterOnly(int seed)
    {
        var jobId = await _client.StartJob($$$"""
            {"model":"tiny","dataset_url":"train.csv","epochs":1,"learning_rate":5e-2,"seed":{{{seed}}},"merge":false,
             "method":"lora","lora":{"r":4,"alpha":8,"target_modules":["c_attn","c_fc"]}}
            """);
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(180));
        Assert.True("succeeded" == status.GetProperty("status").GetString(), status.ToString());
        var path = Path.GetFullPath(status.GetProperty("model_path").GetString()!).TrimEnd(Path.DirectorySeparatorChar);
        Assert.True(AdapterFolders.IsAdapterOnly(path), $"{path} should hold only the adapter");
        return path;
    }

    /// <summary>The folder loaded on its own by the Models layer (base + adapter as LoRA layers), greedy.</summary>
    private static string Reference(string folder)
    {
        using var loaded = HfModelFolder.Load(folder, Device.Cpu);
        loaded.Model.Training = false;
        return new TextGenerator(loaded.Model, loaded.Tokenizer).Generate("Fridge", new GenerationOptions { MaxNewTokens = 8, Temperature = 0 }).Text;
    }

    private async Task<string> Generate(string model)
    {
        var response = await _client.PostJson("/api/generate", $$"""{"model":"{{model}}","prompt":"Fridge","max_new_tokens":8,"temperature":0}""");
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("text").GetString()!;
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
