using System.Net;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.Tests;

/// <summary>Issue 12.1: a base's training_defaults.json is what /api/finetune/start and /v1 resolve, and what /api/finetune/info shows.</summary>
public sealed class BaseDefaultsTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public BaseDefaultsTests()
    {
        File.WriteAllText(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase, TrainingDefaults.FileName), """{"learning_rate": 1e-3}""");
        _factory = new ServerFactory(_folders, new FakeExecutor());
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Info_ShowsEachBasesOwnDefaults_FromItsDefaultsFile()
    {
        var info = await (await _client.GetAsync("/api/finetune/info")).Json();

        var tiny = info.GetProperty("model_defaults").GetProperty(TestFolders.TinyBase);
        Assert.Equal(1e-3, tiny.GetProperty("learning_rate").GetDouble());
        Assert.Equal(3, tiny.GetProperty("epochs").GetInt32());
        Assert.Equal(TrainingDefaults.FileName, tiny.GetProperty("source").GetString());
        Assert.Equal(2e-5, info.GetProperty("defaults").GetProperty("learning_rate").GetDouble());
    }

    [Fact]
    public async Task Start_ResolvesTheBasesLearningRate_UnlessTheRequestGivesOne()
    {
        var defaulted = await (await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv"}""")).Json();
        var given = await (await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv","learning_rate":5e-5}""")).Json();

        Assert.Equal(1e-3, defaulted.GetProperty("config").GetProperty("learning_rate").GetDouble());
        Assert.Equal(5e-5, given.GetProperty("config").GetProperty("learning_rate").GetDouble());
    }

    [Fact]
    public async Task Start_Answers400NamingTheFile_WhenTheBasesDefaultsFileIsBroken()
    {
        File.WriteAllText(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase, TrainingDefaults.FileName), """{"learning_rat": 1e-3}""");

        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv"}""");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "model");
        Assert.Contains(TrainingDefaults.FileName, problem.GetProperty("detail").GetString());
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
