using System.Net;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

public sealed class StartEndpointTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public StartEndpointTests()
    {
        _factory = new ServerFactory(_folders, new FakeExecutor());
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Start_Answers202WithResolvedDefaults_WhenOnlyModelAndDatasetGiven()
    {
        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("started", body.GetProperty("status").GetString());
        Assert.StartsWith("ftjob-", body.GetProperty("job_id").GetString());
        Assert.Contains("tiny", body.GetProperty("message").GetString());
        var config = body.GetProperty("config");
        Assert.Equal("tiny", config.GetProperty("model").GetString());
        Assert.Equal("train.csv", config.GetProperty("dataset").GetString());
        Assert.Equal(3, config.GetProperty("epochs").GetInt32());
        Assert.Equal(4, config.GetProperty("batch_size").GetInt32());
        Assert.Equal(2e-5, config.GetProperty("learning_rate").GetDouble());
        Assert.Equal("cpu", config.GetProperty("device").GetString());
    }

    [Fact]
    public async Task Start_KeepsGivenHyperparameters_WhenCustomised()
    {
        var response = await _client.PostJson("/api/finetune/start",
            """{"model":"tiny","dataset_url":"train.csv","epochs":5,"batch_size":2,"learning_rate":1e-5,"warmup_steps":3,"lr_scheduler":"cosine"}""");

        var config = (await response.Json()).GetProperty("config");
        Assert.Equal(5, config.GetProperty("epochs").GetInt32());
        Assert.Equal(2, config.GetProperty("batch_size").GetInt32());
        Assert.Equal(1e-5, config.GetProperty("learning_rate").GetDouble());
        Assert.Equal(3, config.GetProperty("warmup_steps").GetInt32());
    }

    [Fact]
    public async Task Start_AcceptsCurlDefaultContentType_WhenBodyIsJson()
    {
        // The seed's own examples use `curl -d '{...}'` without -H, which sends application/x-www-form-urlencoded.
        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv"}""", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"dataset_url":"train.csv"}""", "model")]
    [InlineData("""{"model":"tiny"}""", "dataset_url")]
    [InlineData("""{"model":42,"dataset_url":"train.csv"}""", "model")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","epochs":0}""", "epochs")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","epochs":21}""", "epochs")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","batch_size":17}""", "batch_size")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","batch_size":0}""", "batch_size")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","learning_rate":"fast"}""", "learning_rate")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","learning_rate":-1}""", "learning_rate")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","epoch":3}""", "epoch")]
    [InlineData("""{"model":"tiny","dataset_url":"train.csv","device":"cuda:3"}""", "device")]
    [InlineData("""{"model":"tiny","dataset_url":"missing.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"../outside.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"sub/../../outside.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"/etc/passwd"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"file:///etc/passwd"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"ftp://example.com/a.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"http://127.0.0.1/a.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"http://169.254.169.254/latest/meta-data"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"http://10.1.2.3/a.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"http://[::1]/a.csv"}""", "dataset_url")]
    [InlineData("""{"model":"tiny","dataset_url":"http://[::ffff:192.168.1.1]/a.csv"}""", "dataset_url")]
    public async Task Start_Answers400NamingTheField_WhenRequestIsInvalid(string body, string param)
    {
        var response = await _client.PostJson("/api/finetune/start", body);

        await response.AssertProblem(HttpStatusCode.BadRequest, param);
        Assert.Empty(_factory.Store.List(new LocalFineTune.Jobs.JobListQuery()).Items);
    }

    [Fact]
    public async Task Start_ListsAvailableModels_WhenModelIsUnknown()
    {
        var response = await _client.PostJson("/api/finetune/start", """{"model":"phi","dataset_url":"train.csv"}""");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "model");
        Assert.Contains("tiny", problem.GetProperty("detail").GetString());
        Assert.Equal("tiny", problem.GetProperty("available")[0].GetString());
    }

    [Fact]
    public async Task Start_Refuses_WhenSymlinkLeavesTheDataRoot()
    {
        var outside = Path.Combine(_folders.Root, "secret.csv");
        File.WriteAllText(outside, "text\nsecret\n");
        File.CreateSymbolicLink(Path.Combine(_folders.DataRoot, "link.csv"), outside);
        Directory.CreateSymbolicLink(Path.Combine(_folders.DataRoot, "linkdir"), _folders.Root);

        var viaFile = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"link.csv"}""");
        var viaDir = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"linkdir/secret.csv"}""");

        await viaFile.AssertProblem(HttpStatusCode.BadRequest, "dataset_url");
        await viaDir.AssertProblem(HttpStatusCode.BadRequest, "dataset_url");
    }

    [Fact]
    public async Task Start_Accepts_WhenSymlinkStaysInsideTheDataRoot()
    {
        File.CreateSymbolicLink(Path.Combine(_folders.DataRoot, "alias.csv"), Path.Combine(_folders.DataRoot, "train.csv"));

        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"alias.csv"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"model\": \"tiny\", ")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task Start_Answers400InvalidJson_WhenBodyIsMalformed(string body)
    {
        var response = await _client.PostJson("/api/finetune/start", body);

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "body");
        Assert.Equal("invalid_json", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Start_Answers415_WhenContentTypeIsNotJson()
    {
        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv"}""", "text/plain");

        await response.AssertProblem(HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task Start_RefusesUntrainableArchitecture_WhenBaseIsOfAnUnsupportedFamily()
    {
        var falcon = Path.Combine(_folders.ModelsRoot, "base", "falcon");
        Directory.CreateDirectory(falcon);
        File.WriteAllText(Path.Combine(falcon, "config.json"), """{"model_type":"falcon"}""");

        var response = await _client.PostJson("/api/finetune/start", """{"model":"falcon","dataset_url":"train.csv"}""");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "model");
        Assert.Equal("model_not_supported", problem.GetProperty("code").GetString());
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
