#pragma warning disable OPENAI001 // fine-tuning is marked experimental in the OpenAI .NET SDK 2.x
using System.ClientModel;
using System.Text.Json;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server.Tests.Infrastructure;
using OpenAI.Chat;
using OpenAI.Files;
using OpenAI.FineTuning;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>A LoRA job through the official OpenAI .NET SDK: the "lft" extension object rides in the request body, as extra_body sends it.</summary>
public sealed class SdkLoraTests : IDisposable
{
    private readonly OpenAiTestServer _server = new();

    [Fact]
    public async Task OpenAiSdk_TrainsWithLora_ThroughTheExtensionField_ThenChats()
    {
        var client = _server.CreateOpenAiClient();
        var file = (await client.GetOpenAIFileClient().UploadFileAsync(BinaryData.FromString(OpenAiTestServer.ChatJsonl(12)), "fridge.jsonl", FileUploadPurpose.FineTune)).Value;
        var job = await client.GetFineTuningClient().FineTuneAsync(BinaryContent.Create(BinaryData.FromString($$$"""
            {"model":"tiny","training_file":"{{{file.Id}}}","suffix":"lora","seed":7,
             "method":{"type":"supervised","supervised":{"hyperparameters":{"n_epochs":1,"batch_size":4,"learning_rate_multiplier":20} } },
             "lft":{"method":"lora","lora":{"r":4,"alpha":8} } }
            """)), waitUntilCompleted: false, options: null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!job.HasCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            await job.UpdateStatusAsync();
        }
        using var done = JsonDocument.Parse(job.GetRawResponse().Content.ToString());
        Assert.True("succeeded" == done.RootElement.GetProperty("status").GetString(), done.RootElement.ToString());
        var model = done.RootElement.GetProperty("fine_tuned_model").GetString()!;
        var folder = Assert.Single(Directory.GetDirectories(_server.ModelsRoot, "tiny-finetuned-*"));
        Assert.NotNull(AdapterFolders.AdapterDirOf(folder));

        var answer = (await client.GetChatClient(model).CompleteChatAsync([new UserChatMessage("Fridge 3 is noisy.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 })).Value;
        Assert.InRange(answer.Usage.OutputTokenCount, 1, 4);
    }

    [Theory]
    [InlineData("""{"lora":{"r":0}}""", "lft.lora.r")]
    [InlineData("""{"epochs":3}""", "lft.epochs")]
    [InlineData("""{"method":"sideways"}""", "lft.method")]
    [InlineData("""[1]""", "lft")]
    public async Task BadExtension_Answers400_NamingTheField(string extension, string param)
    {
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", OpenAiTestServer.ApiKey);
        var upload = await http.Upload(OpenAiTestServer.ChatJsonl(12));
        var response = await OpenAiHttp.PostJson(http, "/v1/fine_tuning/jobs", $$"""{"model":"tiny","training_file":"{{upload}}","lft":{{extension}}}""");
        await response.AssertOpenAiError(System.Net.HttpStatusCode.BadRequest, param);
    }

    public void Dispose() => _server.Dispose();
}
