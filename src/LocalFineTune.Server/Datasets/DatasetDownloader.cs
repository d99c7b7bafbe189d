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

    /// <summary>How long the probe at job creation may take: the client is waiting for its 202 or 400.</summary>
    public const double ProbeTimeoutSeconds = 10;

    /// <summary>Downloads to <paramref name="destinationWithoutExtension"/> + .csv/.jsonl and returns that path.</summary>
    public Task<string> DownloadAsync(Uri url, string destinationWithoutExtension, CancellationToken cancellation) =>
        WithCapAsync(url, "Downloading", _options.TimeoutSeconds, "LocalFineTune:Downloads:TimeoutSeconds; use a faster host or raise the cap", async token =>
        {
            using var response = await GetFollowingRedirectsAsync(url, HttpMethod.Get, token);
            var path = destinationWithoutExtension + ExtensionOf(response.RequestMessage?.RequestUri ?? url, response);
            await CopyCappedAsync(response, path, token);
            return path;
        }, cancellation);

    /// <summary>
    /// Checks, before a job exists, that the URL resolves, passes the address and redirect rules and answers 2xx:
    /// a HEAD, or a one-byte ranged GET when the server does not do HEAD. A size it announces over the cap is refused too.
    /// Throws <see cref="DownloadRefusedException"/> with the reason.
    /// </summary>
    public Task ProbeAsync(Uri url, CancellationToken cancellation) =>
        WithCapAsync(url, "Checking", Math.Min(ProbeTimeoutSeconds, _options.TimeoutSeconds), "the probe at job creation", async token =>
        {
            HttpResponseMessage response;
            try
            {
                response = await GetFollowingRedirectsAsync(url, HttpMethod.Head, token);
            }
            catch (HeadNotSupportedException)
            {
                response = await GetFollowingRedirectsAsync(url, HttpMethod.Get, token, rangeFirstByte: true);
            }
            using (response)
            {
                if (response.Content.Headers.ContentLength > _options.MaxBytes && response.StatusCode != HttpStatusCode.PartialContent)
                    throw TooLarge(response.Content.Headers.ContentLength.Value);
            }
            return true;
        }, cancellation);

    /// <summary>One time cap and one translation of transport errors into a reason, for the download and the probe.</summary>
    private static async Task<T> WithCapAsync<T>(Uri url, string verb, double seconds, string capName, Func<CancellationToken, Task<T>> work,
        CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        try
        {
            return await work(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new DownloadRefusedException($"{verb} {url} took longer than {seconds:0} s ({capName}).");
        }
        catch (HttpRequestException e) when (e.InnerException is DownloadRefusedException refused)
        {
            throw refused;
        }
        catch (HttpRequestException e)
        {
            throw new DownloadRefusedException($"{verb} {url} failed: {e.Message}. Check that the URL is reachable from the service.", e);
        }
    }

    /// <summary>The server answered a HEAD with 405 or 501: it does not do HEAD, which says nothing about the file.</summary>
    private sealed class HeadNotSupportedException : Exception;

    private async Task<HttpResponseMessage> GetFollowingRedirectsAsync(Uri url, HttpMethod method, CancellationToken cancellation,
        bool rangeFirstByte = false)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(method, current); // the response keeps it (RequestUri names the final URL)
            if (rangeFirstByte) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 0);
            var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
            var status = (int)response.StatusCode;
            if (status is < 300 or >= 400)
            {
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    if (method == HttpMethod.Head && status is 405 or 501) throw new HeadNotSupportedException();
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
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellation);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            throw new DownloadRefusedException($"The host '{host}' does not resolve ({e.Message}); check the URL.", e);
        }
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
