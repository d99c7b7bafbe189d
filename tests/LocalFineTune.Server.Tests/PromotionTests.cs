using System.Net;
using System.Text.Json;
using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests;

/// <summary>"latest" as a stored pointer per base: promotion by hand (rollback), fallback to the newest folder, and
/// every place that takes "latest" (generate, start, /v1) following the pointer.</summary>
public sealed class PromotionTests : IDisposable
{
    private const string December = "tiny-finetuned-20251201_030000";
    private const string January = "tiny-finetuned-20260101_030000";
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public PromotionTests()
    {
        _factory = new ServerFactory(_folders, new FakeExecutor(), replaceServices: InstantGenerators.Register);
        _client = _factory.CreateClient();
        PublishFolder(December);
        PublishFolder(January);
    }

    [Fact]
    public async Task Models_MarksNewestFolderAsLatest_WhenNoPointerIsStored()
    {
        var models = await ListModels();

        Assert.Equal([January, December], models.Select(m => m.GetProperty("name").GetString()));
        Assert.True(models[0].GetProperty("latest").GetBoolean());
        Assert.Equal("newest", models[0].GetProperty("latest_source").GetString());
        Assert.False(models[1].GetProperty("latest").GetBoolean());
        Assert.EndsWith(January, await GeneratedModelPath("latest"));
    }

    [Fact]
    public async Task Promote_OlderModel_MovesLatestForModelsGenerateAndStart()
    {
        var response = await _client.PostAsync($"/api/finetune/models/{December}/promote", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pointer = await response.Json();
        Assert.Equal("tiny", pointer.GetProperty("base_model").GetString());
        Assert.Equal(December, pointer.GetProperty("latest").GetString());
        var models = await ListModels();
        var latest = Assert.Single(models, m => m.GetProperty("latest").GetBoolean());
        Assert.Equal(December, latest.GetProperty("name").GetString());
        Assert.Equal("promoted", latest.GetProperty("latest_source").GetString());
        Assert.EndsWith(December, await GeneratedModelPath("latest"));
        Assert.EndsWith(December, await GeneratedModelPath("latest:tiny"));
        var jobId = await _client.StartJob("""{"model":"latest","dataset_url":"train.csv"}""");
        Assert.EndsWith(December, JsonDocument.Parse(_factory.Store.Get(jobId)!.SpecJson).RootElement.GetProperty("model_path").GetString());
        var v1 = await (await _client.GetAsync("/v1/models/latest")).Json();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v1/models/latest")).StatusCode);
        Assert.Equal("latest", v1.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Promote_AgainAfterRollback_NamesThePreviousModel()
    {
        await _client.PostAsync($"/api/finetune/models/{December}/promote", null);

        var back = await (await _client.PostAsync($"/api/finetune/models/{January}/promote", null)).Json();

        Assert.Equal(January, back.GetProperty("latest").GetString());
        Assert.Equal(December, back.GetProperty("previous_model").GetString());
        Assert.EndsWith(January, await GeneratedModelPath("latest"));
    }

    [Fact]
    public async Task Latest_FallsBackToNewestFolder_WhenThePromotedFolderIsDeleted()
    {
        await _client.PostAsync($"/api/finetune/models/{December}/promote", null);

        Directory.Delete(Path.Combine(_folders.ModelsRoot, December), recursive: true);

        Assert.EndsWith(January, await GeneratedModelPath("latest"));
        Assert.Equal("newest", (await ListModels())[0].GetProperty("latest_source").GetString());
    }

    [Fact]
    public async Task Promote_Answers404NamingTheModels_WhenNoSuchFineTunedModelExists()
    {
        var response = await _client.PostAsync("/api/finetune/models/tiny-finetuned-19990101_000000/promote", null);

        var problem = await response.AssertProblem(HttpStatusCode.NotFound, "name");
        Assert.Contains(January, problem.GetProperty("detail").GetString());
        Assert.Null(_factory.Services.GetRequiredService<IModelPointers>().GetLatest("tiny"));
    }

    [Fact]
    public async Task Generate_Answers400_WhenLatestNamesABaseWithoutFineTunes()
    {
        var response = await _client.PostJson("/api/generate", """{"model":"latest:gpt2","prompt":"Fridge"}""");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "model");
        Assert.Contains("base 'gpt2'", problem.GetProperty("detail").GetString());
    }

    private async Task<List<JsonElement>> ListModels() =>
        (await (await _client.GetAsync("/api/finetune/models")).Json()).GetProperty("models").EnumerateArray().ToList();

    private async Task<string> GeneratedModelPath(string model)
    {
        var response = await _client.PostJson("/api/generate", $$"""{"model":"{{model}}","prompt":"Fridge","max_new_tokens":2}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json()).GetProperty("model_path").GetString()!.TrimEnd('/');
    }

    /// <summary>A published fine-tuned folder, as a finished job leaves it (the tiny base's files under the output name).</summary>
    private void PublishFolder(string name) =>
        TestFolders.CopyDirectory(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase), Path.Combine(_folders.ModelsRoot, name));

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
