using System.Net;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests;

/// <summary>SSRF and cap cases of http(s) dataset_url downloads, against a server on loopback only.</summary>
public sealed class DatasetDownloadTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lft-dl-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication? _server;
    private string _base = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/data.csv", () => Results.Text("text\nhello\n", "text/csv"));
        _server.MapGet("/big.jsonl", () => Results.Text(new string('x', 5000)));
        _server.MapGet("/slow.csv", async (HttpResponse r) => { await r.WriteAsync("text\n"); await r.Body.FlushAsync(); await Task.Delay(5000); });
        _server.MapGet("/same-host", () => Results.Redirect("/data.csv"));
        _server.MapGet("/other-host", (HttpRequest r) => Results.Redirect($"http://localhost:{r.Host.Port}/data.csv"));
        _server.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data"));
        await _server.StartAsync();
        _base = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    private DatasetDownloader Downloader(bool allowLoopback = true, long maxBytes = 1_000_000, double timeout = 10, params string[] hosts) =>
        new(new DownloadOptions { AllowLoopback = allowLoopback, MaxBytes = maxBytes, TimeoutSeconds = timeout, AllowedHosts = [.. hosts] });

    private string Target => Path.Combine(_folder, "dataset");

    [Fact]
    public async Task Download_SavesFileWithExtension_WhenUrlIsAllowed()
    {
        using var downloader = Downloader();

        var path = await downloader.DownloadAsync(new Uri(_base + "/data.csv"), Target, CancellationToken.None);

        Assert.EndsWith(".csv", path);
        Assert.Equal("text\nhello\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Download_RefusesAtConnectTime_WhenHostNameResolvesToLoopback()
    {
        using var downloader = Downloader(allowLoopback: false);
        var url = new Uri(_base.Replace("127.0.0.1", "localhost") + "/data.csv");

        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(url, Target, CancellationToken.None));

        Assert.Contains("loopback", error.Message);
        Assert.Empty(Directory.EnumerateFiles(_folder));
    }

    [Fact]
    public async Task Download_FollowsRedirect_WhenItStaysOnTheSameHost()
    {
        using var downloader = Downloader();

        var path = await downloader.DownloadAsync(new Uri(_base + "/same-host"), Target, CancellationToken.None);

        Assert.Equal("text\nhello\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("/other-host")]
    [InlineData("/to-metadata")]
    public async Task Download_RefusesRedirect_WhenTargetHostIsNotAllowed(string path)
    {
        using var downloader = Downloader();

        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new Uri(_base + path), Target, CancellationToken.None));

        Assert.Contains("Redirect refused", error.Message);
    }

    [Fact]
    public async Task Download_FollowsRedirectToListedHost_WhenAllowedHostsNamesIt()
    {
        using var downloader = Downloader(true, 1_000_000, 10, "127.0.0.1", "localhost");

        var path = await downloader.DownloadAsync(new Uri(_base + "/other-host"), Target, CancellationToken.None);

        Assert.Equal("text\nhello\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Download_StopsAndLeavesNothing_WhenBodyExceedsSizeCap()
    {
        using var downloader = Downloader(maxBytes: 1000);

        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new Uri(_base + "/big.jsonl"), Target, CancellationToken.None));

        Assert.Contains("MaxBytes", error.Message);
        Assert.Empty(Directory.EnumerateFiles(_folder));
    }

    [Fact]
    public async Task Download_StopsAtTimeCap_WhenServerIsSlow()
    {
        using var downloader = Downloader(timeout: 1);

        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new Uri(_base + "/slow.csv"), Target, CancellationToken.None));

        Assert.Contains("TimeoutSeconds", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.100.100.200")]
    [InlineData("0.0.0.0")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("224.0.0.1")]
    public void AddressPolicy_Refuses_WhenAddressIsNotPublic(string address)
    {
        Assert.NotNull(new AddressPolicy(allowLoopback: false).Check(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void AddressPolicy_Allows_WhenAddressIsPublic(string address)
    {
        Assert.Null(new AddressPolicy(allowLoopback: false).Check(IPAddress.Parse(address)));
    }

    [Fact]
    public void AddressPolicy_StillRefusesPrivateAndMetadata_WhenLoopbackIsAllowed()
    {
        var policy = new AddressPolicy(allowLoopback: true);

        Assert.Null(policy.Check(IPAddress.Loopback));
        Assert.NotNull(policy.Check(IPAddress.Parse("169.254.169.254")));
        Assert.NotNull(policy.Check(IPAddress.Parse("192.168.0.10")));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
