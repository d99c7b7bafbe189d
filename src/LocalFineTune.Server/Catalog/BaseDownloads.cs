using System.Collections.Concurrent;
using LocalFineTune.Hub;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Catalog;

/// <summary>
/// Where a job's base comes from. <see cref="Folder"/> is where it will be trained from; <see cref="ConfigFolder"/>
/// holds its config and tokenizer now (the same folder, or the pull's staging folder while the weights are still to
/// come); <see cref="PullName"/> is the catalog name to download first, null when the base is on disk.
/// </summary>
public sealed record BaseSource(string Folder, string ConfigFolder, string? PullName);

/// <summary>
/// Models:AutoDownload: a job naming a catalog base that is not downloaded is accepted, as OpenAI accepts any base it
/// serves. Creating the job fetches the small files (config, tokenizer) so every check that needs them still answers
/// 400 at once; the worker downloads the weights during validating_files. One pull per base at a time in this
/// process (jobs created together wait for the same download); the folder appears only when complete.
/// </summary>
public sealed class BaseDownloads(ServerOptions options, ModelCatalog catalog)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> PullLocks = new(StringComparer.Ordinal);

    private ModelDownloadOptions Settings => options.Models;

    /// <summary>The base a training job names, downloading its config and tokenizer when it is a catalog name not on disk yet.</summary>
    public BaseSource ResolveForTraining(string model, string param = "model")
    {
        try
        {
            var path = catalog.Resolve(model, allowPath: false, param);
            return new BaseSource(path, path, null);
        }
        catch (ApiProblemException e) when (e.Code == "model_not_downloaded" && Settings.AutoDownload && BaseModelCatalog.Find(model) is { } entry)
        {
            return new BaseSource(Path.Combine(catalog.BaseRoot, entry.Name), FetchSideFiles(entry, param), entry.Name);
        }
    }

    /// <summary>Downloads the base's weights unless the folder is already there; reports bytes as they arrive.</summary>
    public void EnsureDownloaded(string name, IProgress<PullProgress> progress, CancellationToken cancellationToken)
    {
        var target = Path.Combine(catalog.BaseRoot, name);
        var gate = PullLocks.GetOrAdd(Path.GetFullPath(target), _ => new SemaphoreSlim(1, 1));
        gate.Wait(cancellationToken);
        try
        {
            if (Directory.Exists(target)) return; // another job pulled it meanwhile
            using var http = CreateHttp(timeout: Timeout.InfiniteTimeSpan);
            new ModelPuller(new HubClient(http, Hub())).PullAsync(name, catalog.BaseRoot, progress: progress, cancellationToken: cancellationToken)
                .GetAwaiter().GetResult();
        }
        finally
        {
            gate.Release();
        }
    }

    private string FetchSideFiles(CatalogEntry entry, string param)
    {
        var gate = PullLocks.GetOrAdd(Path.GetFullPath(Path.Combine(catalog.BaseRoot, entry.Name)), _ => new SemaphoreSlim(1, 1));
        var timeout = TimeSpan.FromSeconds(Settings.MetadataTimeoutSeconds);
        using var deadline = new CancellationTokenSource(timeout);
        if (!gate.Wait(timeout))
            throw Unreachable(entry, param, $"another download of {entry.Name} is still busy after {timeout.TotalSeconds:0} s");
        try
        {
            using var http = CreateHttp(timeout);
            return new ModelPuller(new HubClient(http, Hub())).PullSideFilesAsync(entry.Name, catalog.BaseRoot, cancellationToken: deadline.Token)
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HubException or HttpRequestException or IOException or OperationCanceledException)
        {
            throw Unreachable(entry, param, e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    private ApiProblemException Unreachable(CatalogEntry entry, string param, string why) =>
        new(param, "model_download_failed",
            $"Base model '{entry.Name}' is not downloaded and fetching it from {Hub().Endpoint} failed: {ClientText.Echo(why)}. " +
            $"Check the machine's access to the hub (LocalFineTune:Models:HubEndpoint, HF_ENDPOINT, HF_TOKEN), or run `lft pull {entry.Name}` " +
            $"where the hub is reachable and copy models/base/{entry.Name}/ here.",
            extra: new Dictionary<string, object?> { ["pull_command"] = $"lft pull {entry.Name}", ["repository"] = entry.Repository });

    private HubSettings Hub()
    {
        var environment = HubSettings.FromEnvironment();
        return new HubSettings(Settings.HubEndpoint is { Length: > 0 } e ? e.TrimEnd('/') : environment.Endpoint, Settings.HubToken ?? environment.Token);
    }

    /// <summary>No automatic redirects: HubClient follows them itself (it reads the hub's headers on the 302, and keeps the token off other hosts).</summary>
    private static HttpClient CreateHttp(TimeSpan timeout) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(20) }) { Timeout = timeout };
}
