using System.Net;
using LocalFineTune.Hub.Tests;
using System.Net.Http.Headers;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Server.Tests.OpenAi;

namespace LocalFineTune.Server.Tests;

/// <summary>
/// Models:AutoDownload: "model": "phi" with no models/base/phi/ is accepted, the job downloads the base from the
/// (stand-in) hub in a "downloading" step, then trains; off, or with the hub unreachable, the request answers 400.
/// </summary>
public sealed class AutoDownloadTests : IAsyncLifetime, IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly LocalHub _hub = new();

    public async Task InitializeAsync()
    {
        _hub.AddRepository("microsoft/phi-1_5", TinyPhiFiles());
        await _hub.StartAsync();
    }

    public Task DisposeAsync() => _hub.DisposeAsync().AsTask();

    public void Dispose() => _folders.Dispose();

    /// <summary>A tiny random phi folder's files, as the hub would serve them.</summary>
    private static Dictionary<string, byte[]> TinyPhiFiles()
    {
        var dir = Directory.CreateTempSubdirectory("lft-hub-phi-").FullName;
        try
        {
            TinyBases.CreatePhi(dir);
            return Directory.EnumerateFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private ServerFactory Server(bool autoDownload, string? endpoint = null) => new(_folders, overrides: new Dictionary<string, string?>
    {
        ["LocalFineTune:Models:AutoDownload"] = autoDownload ? "true" : "false",
        ["LocalFineTune:Models:HubEndpoint"] = endpoint ?? _hub.Endpoint,
        ["LocalFineTune:Models:MetadataTimeoutSeconds"] = "10",
    });

    [Fact]
    public async Task On_AcceptsACatalogBaseNotOnDisk_DownloadsItInTheJob_ThenTrains()
    {
        using var factory = Server(autoDownload: true);
        using var client = factory.CreateClient();

        var jobId = await client.StartJob("""{"model":"phi","dataset_url":"train.csv","epochs":1,"batch_size":4,"learning_rate":1e-3}""");
        var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(180));

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(_folders.ModelsRoot, "base", "phi", "model.safetensors")));
        Assert.False(Directory.Exists(Path.Combine(_folders.ModelsRoot, "base", ".phi.pulling")));
        var events = (await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events?order=asc")).Json()).ToString();
        Assert.Contains("Downloading base model phi", events);
        Assert.Contains("Downloading: 100%", events);
        Assert.Matches(@"phi-finetuned-\d{8}_\d{6}/?$", status.GetProperty("model_path").GetString());
    }

    [Fact]
    public async Task On_V1JobNamingACatalogBase_DownloadsIt_ThenSucceeds()
    {
        using var server = new OpenAiTestServer(new Dictionary<string, string?>
        {
            ["LocalFineTune:Models:AutoDownload"] = "true", ["LocalFineTune:Models:HubEndpoint"] = _hub.Endpoint,
        });
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpenAiTestServer.ApiKey);
        var file = await client.Upload(OpenAiTestServer.ChatJsonl(12));

        var created = await client.PostJson("/v1/fine_tuning/jobs", $$$"""{"model":"phi","training_file":"{{{file}}}","hyperparameters":{"n_epochs":1}}""");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var jobId = (await created.Body()).GetProperty("id").GetString()!;
        var done = await client.WaitForJob(jobId, s => s is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(180));

        Assert.True("succeeded" == done.GetProperty("status").GetString(), done.ToString());
        Assert.True(File.Exists(Path.Combine(server.ModelsRoot, "base", "phi", "model.safetensors")));
        var events = (await (await client.GetAsync($"/v1/fine_tuning/jobs/{jobId}/events?limit=100")).Body()).ToString();
        Assert.Contains("Downloading base model phi", events);
    }

    [Fact]
    public async Task On_TheConfigIsCheckedAtCreation_SoABadOptionStillAnswers400()
    {
        using var factory = Server(autoDownload: true);
        using var client = factory.CreateClient();

        var response = await client.PostJson("/api/finetune/start", """{"model":"phi","dataset_url":"train.csv","lora":{"target_modules":["c_attn"]}}""");

        await response.AssertProblem(HttpStatusCode.BadRequest, "lora.target_modules");
        Assert.False(Directory.Exists(Path.Combine(_folders.ModelsRoot, "base", "phi"))); // the weights were never fetched
    }

    [Fact]
    public async Task On_WithTheHubUnreachable_Answers400WithThePullCommand()
    {
        using var factory = Server(autoDownload: true, endpoint: "http://127.0.0.1:9");
        using var client = factory.CreateClient();

        var response = await client.PostJson("/api/finetune/start", """{"model":"phi","dataset_url":"train.csv"}""");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "model");
        Assert.Equal("model_download_failed", problem.GetProperty("code").GetString());
        Assert.Contains("lft pull phi", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Off_Answers400ModelNotDownloaded_WithoutAskingTheHub()
    {
        using var factory = Server(autoDownload: false);
        using var client = factory.CreateClient();

        var response = await client.PostJson("/api/finetune/start", """{"model":"phi","dataset_url":"train.csv"}""");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "model");
        Assert.Equal("model_not_downloaded", problem.GetProperty("code").GetString());
        Assert.Empty(_hub.RangesSeen);
    }
}
