using System.Net;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests;

/// <summary>
/// Issue 12.10: an http(s) dataset_url that does not resolve or does not answer 2xx is a 400 with the reason at
/// POST /api/finetune/start, after the same address rules as the download; a good one still becomes a job.
/// A dataset server on loopback (allowed here by Downloads:AllowLoopback, as for a server on the same machine).
/// </summary>
public sealed class DatasetProbeTests : IAsyncLifetime
{
    private readonly TestFolders _folders = new();
    private WebApplication? _data;
    private ServerFactory? _factory;
    private HttpClient _client = null!;
    private string _base = "";
    private int _heads;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _data = builder.Build();
        _data.MapMethods("/data.csv", ["GET", "HEAD"], (HttpRequest r) =>
        {
            if (HttpMethods.IsHead(r.Method)) Interlocked.Increment(ref _heads);
            return Results.Text("text\nhello\n", "text/csv");
        });
        _data.MapGet("/get-only.csv", () => Results.Text("text\nhello\n", "text/csv")); // HEAD answers 405
        _data.MapGet("/moved.csv", () => Results.Redirect("/data.csv"));
        _data.MapGet("/to-metadata.csv", () => Results.Redirect("http://169.254.169.254/latest/meta-data"));
        _data.MapMethods("/huge.csv", ["GET", "HEAD"], (HttpResponse r) => { r.ContentLength = 10_000_000; return Task.CompletedTask; });
        await _data.StartAsync();
        _base = _data.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _factory = new ServerFactory(_folders, new FakeExecutor(), new Dictionary<string, string?>
        {
            ["LocalFineTune:Downloads:AllowLoopback"] = "true",
            ["LocalFineTune:Downloads:MaxBytes"] = "1000000",
        });
        _client = _factory.CreateClient();
    }

    private Task<HttpResponseMessage> Start(string url) =>
        _client.PostJson("/api/finetune/start", $$"""{"model":"tiny","dataset_url":"{{url}}"}""");

    [Fact]
    public async Task Start_Answers400_WhenTheDatasetUrlAnswers404()
    {
        var problem = await (await Start(_base + "/missing.csv")).AssertProblem(HttpStatusCode.BadRequest, "dataset_url");

        Assert.Equal("dataset_unreachable", problem.GetProperty("code").GetString());
        Assert.Contains("HTTP 404", problem.GetProperty("detail").GetString());
        Assert.Empty(_factory!.Store.List(new LocalFineTune.Jobs.JobListQuery { Limit = 10 }).Items);
    }

    [Fact]
    public async Task Start_Answers400_WhenTheHostDoesNotResolve()
    {
        // .invalid never resolves (RFC 2606), with or without a network.
        var problem = await (await Start("https://no-such-host.invalid/frigo.csv")).AssertProblem(HttpStatusCode.BadRequest, "dataset_url");

        Assert.Contains("does not resolve", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Start_Answers202_WhenTheDatasetAnswers_ByHeadOrRangedGet()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Start(_base + "/data.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Start(_base + "/get-only.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Start(_base + "/moved.csv")).StatusCode);

        // HEAD where the server does it (/data.csv); a one-byte GET where HEAD is 405 (/get-only.csv, /moved.csv).
        Assert.Equal(1, _heads);
    }

    [Fact]
    public async Task Start_Answers400_WhenARedirectLeadsToTheMetadataService()
    {
        var problem = await (await Start(_base + "/to-metadata.csv")).AssertProblem(HttpStatusCode.BadRequest, "dataset_url");

        Assert.Contains("169.254.169.254", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Start_Answers400_WhenTheAnnouncedSizeIsOverTheCap()
    {
        var problem = await (await Start(_base + "/huge.csv")).AssertProblem(HttpStatusCode.BadRequest, "dataset_url");

        Assert.Contains("LocalFineTune:Downloads:MaxBytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Probe_RefusesLoopback_WhenLoopbackIsNotAllowed()
    {
        using var downloader = new DatasetDownloader(new DownloadOptions { AllowLoopback = false, TimeoutSeconds = 10 });
        var url = new Uri(_base.Replace("127.0.0.1", "localhost") + "/data.csv");

        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.ProbeAsync(url, CancellationToken.None));

        Assert.Contains("loopback", error.Message);
        Assert.Equal(0, _heads);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _factory?.Dispose();
        if (_data is not null) await _data.DisposeAsync();
        _folders.Dispose();
    }
}
