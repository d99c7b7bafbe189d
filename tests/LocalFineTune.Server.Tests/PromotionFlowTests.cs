using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests;

/// <summary>The real executor on the tiny GPT-2: an ordinary job is promoted when it succeeds (promote "always", the default).</summary>
public sealed class PromotionFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public PromotionFlowTests()
    {
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Start_PromotesTheNewModelOnSuccess_AndSaysSoInStatusAndEvents()
    {
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"train.csv","epochs":1,"batch_size":4}""");

        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(120));

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("promoted").GetBoolean());
        var pointer = _factory.Services.GetRequiredService<IModelPointers>().GetLatest("tiny")!;
        Assert.Equal(jobId, pointer.JobId);
        Assert.EndsWith(pointer.ModelName + "/", status.GetProperty("model_path").GetString());
        var events = await (await _client.GetAsync($"/api/finetune/jobs/{jobId}/events?limit=100")).Json();
        Assert.Contains(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("promoted on success"));
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
