using System.Net;
using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests;

/// <summary>The monthly retrain end to end on the tiny GPT-2: a schedule with continue_from latest and promote if_better.</summary>
public sealed class SchedulesFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public SchedulesFlowTests()
    {
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
        _folders.WriteCsv("holdout.csv", 12);
    }

    [Fact]
    public async Task IfBetter_PromotesTheFirstRun_ThenTheSecondRunTrainsFromItAndIsJudgedOnTheHoldout()
    {
        var created = await _client.PostJson("/api/finetune/schedules", """
            {"cron":"0 3 1 * *","continue_from":"latest","promote":"if_better","holdout":"holdout.csv",
             "job":{"model":"tiny","dataset_url":"train.csv","epochs":1,"batch_size":4,"learning_rate":1e-3}}
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Json()).GetProperty("id").GetString()!;
        var pointers = _factory.Services.GetRequiredService<IModelPointers>();

        var first = await RunAndWait(id);
        Assert.True(first.GetProperty("promoted").GetBoolean());
        Assert.Contains("first fine-tune", first.GetProperty("promotion").GetString());
        var firstModel = pointers.GetLatest("tiny")!.ModelName;

        var second = await RunAndWait(id);

        Assert.Equal("latest:tiny", second.GetProperty("model").GetString());
        var reason = second.GetProperty("promotion").GetString()!;
        Assert.Contains($"the current latest '{firstModel}'", reason);
        var promoted = second.GetProperty("promoted").GetBoolean();
        Assert.Equal(promoted, second.GetProperty("eval_loss_after").GetDouble() < second.GetProperty("eval_loss_before").GetDouble());
        var latest = pointers.GetLatest("tiny")!.ModelName;
        Assert.Equal(promoted, latest != firstModel);
        Assert.EndsWith((promoted ? latest : firstModel) + "/", promoted ? second.GetProperty("model_path").GetString() : first.GetProperty("model_path").GetString());
    }

    private async Task<System.Text.Json.JsonElement> RunAndWait(string scheduleId)
    {
        var run = await _client.PostAsync($"/api/finetune/schedules/{scheduleId}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var jobId = (await run.Json()).GetProperty("job_id").GetString()!;
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        return status;
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
