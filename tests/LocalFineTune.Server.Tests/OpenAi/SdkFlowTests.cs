#pragma warning disable OPENAI001 // fine-tuning is marked experimental in the OpenAI .NET SDK 2.x
using System.ClientModel;
using System.Net;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;
using OpenAI.Chat;
using OpenAI.Files;
using OpenAI.FineTuning;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>Seed 002's flow, driven by the official OpenAI .NET SDK against the local server: only the endpoint changes.</summary>
public sealed class SdkFlowTests : IDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);
    private readonly OpenAiTestServer _server = new();

    [Fact]
    public async Task OpenAiSdk_RunsUploadTrainChatStreamCancelDelete_WhenPointedAtLocalServer()
    {
        var client = _server.CreateOpenAiClient();
        var file = (await client.GetOpenAIFileClient().UploadFileAsync(BinaryData.FromString(OpenAiTestServer.ChatJsonl(12)), "fridge.jsonl", FileUploadPurpose.FineTune)).Value;
        Assert.StartsWith("file-", file.Id);

        var tuning = client.GetFineTuningClient();
        var job = await tuning.FineTuneAsync(BinaryContent.Create(BinaryData.FromString($$$"""
            {"model":"tiny","training_file":"{{{file.Id}}}","suffix":"sdk","seed":7,
             "method":{"type":"supervised","supervised":{"hyperparameters":{"n_epochs":2,"batch_size":4,"learning_rate_multiplier":50} } } }
            """)), waitUntilCompleted: false, options: null);
        Assert.StartsWith("ftjob-", job.JobId);
        var deadline = DateTime.UtcNow + JobTimeout;
        while (!job.HasCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            await job.UpdateStatusAsync();
        }
        var done = Raw(job);
        Assert.True("succeeded" == done.GetProperty("status").GetString(), done.ToString());
        var model = done.GetProperty("fine_tuned_model").GetString()!;
        Assert.StartsWith("ft:tiny:local:sdk:", model);
        Assert.Equal(2, done.GetProperty("hyperparameters").GetProperty("n_epochs").GetInt32());

        var events = new List<FineTuningEvent>();
        await foreach (var e in job.GetEventsAsync(new GetEventsOptions { PageSize = 100 })) events.Add(e);
        Assert.Contains(events, e => e.Message.Contains("training loss", StringComparison.Ordinal));
        var checkpoints = new List<FineTuningCheckpoint>();
        await foreach (var c in job.GetCheckpointsAsync(new GetCheckpointsOptions())) checkpoints.Add(c);
        Assert.InRange(checkpoints.Count, 1, 3);
        Assert.All(checkpoints, c => Assert.StartsWith(model + ":ckpt-step-", c.ModelId));

        var chat = client.GetChatClient(model);
        var answer = (await chat.CompleteChatAsync([new UserChatMessage("Fridge 3 is noisy.")], new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 })).Value;
        Assert.True(answer.Usage.InputTokenCount > 0);
        Assert.InRange(answer.Usage.OutputTokenCount, 1, 6);
        var streamed = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Fridge 5 is noisy.")], new ChatCompletionOptions { MaxOutputTokenCount = 5, Temperature = 0 }))
            streamed.Add(update);
        Assert.Contains(streamed, u => u.FinishReason is not null);
        var fromCheckpoint = (await client.GetChatClient(checkpoints[0].ModelId).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 })).Value;
        Assert.NotNull(fromCheckpoint.Content);

        var second = await tuning.FineTuneAsync(BinaryContent.Create(BinaryData.FromString($$$"""{"model":"tiny","training_file":"{{{file.Id}}}","hyperparameters":{"n_epochs":50}}""")), waitUntilCompleted: false, options: null);
        await second.CancelAndUpdateAsync();
        await WaitUntil(async () =>
        {
            await second.UpdateStatusAsync();
            return Raw(second).GetProperty("status").GetString() == "cancelled";
        });

        var models = client.GetOpenAIModelClient();
        Assert.Contains((await models.GetModelsAsync()).Value, m => m.Id == model);
        Assert.True((await models.DeleteModelAsync(model)).Value.Deleted);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync(model));
        Assert.Equal((int)HttpStatusCode.NotFound, gone.Status);
    }

    /// <summary>The job as the server last sent it: the SDK keeps the raw JSON of every status update.</summary>
    private static JsonElement Raw(System.ClientModel.Primitives.OperationResult result)
    {
        using var doc = JsonDocument.Parse(result.GetRawResponse().Content.ToString());
        return doc.RootElement.Clone();
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(200);
        }
    }

    public void Dispose() => _server.Dispose();
}
