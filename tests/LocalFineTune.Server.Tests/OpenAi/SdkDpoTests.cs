#pragma warning disable OPENAI001 // fine-tuning is marked experimental in the OpenAI .NET SDK 2.x
using System.ClientModel;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;
using OpenAI.Chat;
using OpenAI.Files;
using OpenAI.FineTuning;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>Seed 003's flow: a DPO job through the official OpenAI .NET SDK, OpenAI's preference JSONL, DPO metrics in the events.</summary>
public sealed class SdkDpoTests : IDisposable
{
    private readonly OpenAiTestServer _server = new();

    [Fact]
    public async Task OpenAiSdk_RunsADpoJobToSucceeded_WithDpoMetricsInItsEvents_ThenChats()
    {
        var client = _server.CreateOpenAiClient();
        var upload = await client.GetOpenAIFileClient().UploadFileAsync(BinaryData.FromString(PreferenceJsonl(24)), "prefs.jsonl", FileUploadPurpose.FineTune);
        var job = await client.GetFineTuningClient().FineTuneAsync(BinaryContent.Create(BinaryData.FromString($$$"""
            {"model":"tiny","training_file":"{{{upload.Value.Id}}}","suffix":"dpo","seed":3,
             "method":{"type":"dpo","dpo":{"hyperparameters":{"beta":0.2,"n_epochs":1,"batch_size":4,"learning_rate_multiplier":2} } } }
            """)), waitUntilCompleted: false, options: null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!job.HasCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            await job.UpdateStatusAsync();
        }
        using var done = JsonDocument.Parse(job.GetRawResponse().Content.ToString());
        var root = done.RootElement;
        Assert.True("succeeded" == root.GetProperty("status").GetString(), root.ToString());
        Assert.Equal("dpo", root.GetProperty("method").GetProperty("type").GetString());
        Assert.Equal(0.2, root.GetProperty("method").GetProperty("dpo").GetProperty("hyperparameters").GetProperty("beta").GetDouble());

        var events = new List<FineTuningEvent>();
        await foreach (var e in job.GetEventsAsync(new GetEventsOptions { PageSize = 100 })) events.Add(e);
        Assert.Contains(events, e => e.Message.Contains("reward margin", StringComparison.Ordinal));
        var model = root.GetProperty("fine_tuned_model").GetString()!;
        var answer = (await client.GetChatClient(model).CompleteChatAsync([new UserChatMessage("Fridge 3 is noisy.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 3, Temperature = 0 })).Value;
        Assert.InRange(answer.Usage.OutputTokenCount, 1, 3);
    }

    [Fact]
    public async Task DpoJob_WithSupervisedData_FailsInValidation_NamingTheLine()
    {
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", OpenAiTestServer.ApiKey);
        var file = await http.Upload(OpenAiTestServer.ChatJsonl(12));
        var created = await OpenAiHttp.PostJson(http, "/v1/fine_tuning/jobs", $$"""{"model":"tiny","training_file":"{{file}}","method":{"type":"dpo"} }""");
        var id = (await created.Body()).GetProperty("id").GetString()!;
        var failed = await http.WaitForJob(id, s => s is "failed" or "succeeded", TimeSpan.FromSeconds(60));
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("line 1", failed.GetProperty("error").GetProperty("message").GetString());
    }

    private static string PreferenceJsonl(int pairs) => string.Join("\n", Enumerable.Range(0, pairs).Select(i => JsonSerializer.Serialize(new
    {
        input = new { messages = new[] { new { role = "user", content = $"Fridge {i} is noisy. What should I check?" } } },
        preferred_output = new[] { new { role = "assistant", content = "Check the compressor, the fan and frost build-up." } },
        non_preferred_output = new[] { new { role = "assistant", content = "Buy a new fridge." } },
    }))) + "\n";

    public void Dispose() => _server.Dispose();
}
