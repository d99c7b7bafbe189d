using System.Net;
using System.Net.Sockets;
using LocalFineTune.Server.Configuration;

namespace LocalFineTune.Server.Datasets;

/// <summary>A dataset_url the service refuses to fetch, or whose download broke a cap. Permanent: retrying fails the same way.</summary>
public sealed class DownloadRefusedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Downloads an http(s) dataset with a size cap, a time cap, no proxy, and redirects followed by hand (each checked
/// against the host rules). Every address the host name resolves to is checked in the connect callback, i.e. at the
/// moment of connecting, so a DNS answer that changes between check and use (rebinding) cannot reach a private address.
/// </summary>
public sealed class DatasetDownloader : IDisposable
{
    private readonly DownloadOptions _options;
    private readonly AddressPolicy _policy;
    private readonly HttpClient _client;

    public DatasetDownloader(DownloadOptions options)
    {
        _options = options;
        _policy = new AddressPolicy(options.AllowLoopback);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(30, options.TimeoutSeconds)),
            ConnectCallback = ConnectCheckedAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("LocalFineTune/1.0 (dataset download)");
    }

    public AddressPolicy Policy => _policy;

    /// <summary>Downloads to <paramref name="destinationWithoutExtension"/> + .csv/.jsonl and returns that path.</summary>
    public async Task<string> DownloadAsync(Uri url, string destinationWithoutExtension, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await GetFollowingRedirectsAsync(url, timeout.Token);
            var path = destinationWithoutExtension + ExtensionOf(response.RequestMessage?.RequestUri ?? url, response);
            await CopyCappedAsync(response, path, timeout.Token);
            return path;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new DownloadRefusedException(
                $"Downloading {url} took longer than {_options.TimeoutSeconds:0} s (LocalFineTune:Downloads:TimeoutSeconds); use a faster host or raise the cap.");
        }
        catch (HttpRequestException e) when (e.InnerException is DownloadRefusedException refused)
        {
            throw refused;
        }
        catch (HttpRequestException e)
        {
            throw new DownloadRefusedException($"Downloading {url} failed: {e.Message}. Check that the URL is reachable from the service.", e);
        }
    }

    private async Task<HttpResponseMessage> GetFollowingRedirectsAsync(Uri url, CancellationToken cancellation)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            var response = await _client.GetAsync(current, HttpCompletionOption.ResponseHeadersRead, cancellation);
            var status = (int)response.StatusCode;
            if (status is < 300 or >= 400)
            {
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    throw new DownloadRefusedException($"{current} answered HTTP {status}; check the URL (a pre-signed URL may have expired).");
                }
                return response;
            }
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null || hop >= _options.MaxRedirects)
            {
                throw new DownloadRefusedException($"{current} redirected {(location is null ? "without a Location header" : $"more than {_options.MaxRedirects} times")}; give the final URL.");
            }
            var next = location.IsAbsoluteUri ? location : new Uri(current, location);
            if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            {
                throw new DownloadRefusedException($"{current} redirected to the scheme '{next.Scheme}'; only http and https are followed.");
            }
            if (DatasetUrls.CheckHost(next, _options, _policy, current) is { } problem)
            {
                throw new DownloadRefusedException($"Redirect refused: {problem}");
            }
            current = next;
        }
    }

    private async Task CopyCappedAsync(HttpResponseMessage response, string path, CancellationToken cancellation)
    {
        if (response.Content.Headers.ContentLength > _options.MaxBytes)
        {
            throw TooLarge(response.Content.Headers.ContentLength.Value);
        }
        var temp = path + ".part";
        try
        {
            await using (var source = await response.Content.ReadAsStreamAsync(cancellation))
            await using (var target = File.Create(temp))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellation)) > 0)
                {
                    total += read;
                    if (total > _options.MaxBytes)
                    {
                        throw TooLarge(total);
                    }
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellation);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private DownloadRefusedException TooLarge(long bytes) =>
        new($"The dataset is larger than the cap of {_options.MaxBytes} bytes (got {bytes}+); raise LocalFineTune:Downloads:MaxBytes or split the data.");

    /// <summary>The format follows the URL's extension, else the Content-Type; JSONL when neither says.</summary>
    private static string ExtensionOf(Uri url, HttpResponseMessage response)
    {
        var fromPath = Path.GetExtension(url.AbsolutePath).ToLowerInvariant();
        if (fromPath is ".csv" or ".jsonl" or ".json" or ".tsv")
        {
            return fromPath == ".json" ? ".jsonl" : fromPath;
        }
        var media = response.Content.Headers.ContentType?.MediaType ?? "";
        return media.Contains("csv", StringComparison.OrdinalIgnoreCase) ? ".csv" : ".jsonl";
    }

    private async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellation);
        if (addresses.Length == 0)
        {
            throw new DownloadRefusedException($"The host '{host}' does not resolve; check the URL.");
        }
        // Every resolved address must be public, not just the one we would use: a mixed answer is an attack or a misconfiguration.
        foreach (var address in addresses)
        {
            if (_policy.Check(address) is { } reason)
            {
                throw new DownloadRefusedException($"Refused to connect to '{host}': {reason}. Datasets are fetched only from public addresses.");
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();
}
