using System.Net;
using System.Net.Http.Headers;

namespace LocalFineTune.Hub;

/// <summary>Where the hub is and who we are: HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN, as huggingface_hub reads them.</summary>
public sealed record HubSettings(string Endpoint, string? Token)
{
    public static HubSettings FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? e.TrimEnd('/') : "https://huggingface.co",
            Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } t ? t : null);
}

/// <summary>What the hub says about one file before its bytes: the size and, for LFS files, the sha256.</summary>
internal sealed record FileAnswer(HttpResponseMessage Response, long? LinkedSize, string? LinkedSha256);

/// <summary>
/// The two hub routes a pull needs: model info (file list, sizes, sha256) and file resolution. Redirects are followed
/// here, not by HttpClient, because the hub puts X-Linked-Etag/X-Linked-Size on the 302 itself and the token must
/// not follow a redirect to another host (the CDN's URL is signed).
/// </summary>
public sealed class HubClient(HttpClient http, HubSettings settings)
{
    private const int MaxRedirects = 5;

    public HubSettings Settings { get; } = settings;

    public async Task<(string? Commit, IReadOnlyList<RepositoryFile> Files)> GetFilesAsync(string repository, string revision,
        CancellationToken cancellationToken)
    {
        var url = new Uri($"{Settings.Endpoint}/api/models/{repository}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
        using var response = await SendAsync(url, null, cancellationToken);
        ThrowForStatus(response, repository, revision, file: null);
        var json = await response.Content.ReadAsStringAsync(cancellationToken);
        return RepositoryFiles.ParseModelInfo(json);
    }

    /// <summary>GET of one file from <paramref name="offset"/> on; the caller owns the response.</summary>
    internal async Task<FileAnswer> GetFileAsync(string repository, string revision, string file, long offset, CancellationToken cancellationToken)
    {
        var url = new Uri($"{Settings.Endpoint}/{repository}/resolve/{Uri.EscapeDataString(revision)}/{Uri.EscapeDataString(file)}");
        long? linkedSize = null;
        string? linkedSha = null;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            var response = await SendAsync(url, offset > 0 ? offset : null, cancellationToken);
            linkedSize ??= HeaderLong(response, "X-Linked-Size");
            linkedSha ??= HeaderEtag(response, "X-Linked-Etag");
            if (response.StatusCode is HttpStatusCode.Found or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect
                or HttpStatusCode.PermanentRedirect or HttpStatusCode.SeeOther && response.Headers.Location is { } location)
            {
                url = new Uri(url, location);
                response.Dispose();
                continue;
            }
            try
            {
                ThrowForStatus(response, repository, revision, file);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            return new FileAnswer(response, linkedSize, linkedSha);
        }
        throw new HubException($"{file} of {repository}: more than {MaxRedirects} redirects; check HF_ENDPOINT ({Settings.Endpoint}).");
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, long? rangeFrom, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        // The token goes only to the hub itself, never to the storage host a redirect points at.
        if (Settings.Token is { } token && SameOrigin(url, new Uri(Settings.Endpoint)))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (rangeFrom is { } from) request.Headers.Range = new RangeHeaderValue(from, null);
        request.Headers.UserAgent.ParseAdd("lft-pull/1.0");
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new HubException($"Cannot reach {url.GetLeftPart(UriPartial.Authority)}: {e.Message}. Check the network, or set HF_ENDPOINT " +
                "to a mirror the machine can reach.", inner: e);
        }
    }

    private void ThrowForStatus(HttpResponseMessage response, string repository, string revision, string? file)
    {
        if (response.IsSuccessStatusCode) return;
        var code = (int)response.StatusCode;
        var what = file is null ? $"{repository} at revision '{revision}'" : $"{file} of {repository} at revision '{revision}'";
        throw code switch
        {
            401 or 403 => new HubException($"{what}: the hub answered {code}. {repository} is gated or private: accept its licence at " +
                $"{Settings.Endpoint}/{repository} with your account, then create a read token at {Settings.Endpoint}/settings/tokens and " +
                $"set HF_TOKEN=<token>{(Settings.Token is null ? " (no HF_TOKEN is set now)" : " (the HF_TOKEN set now was refused)")}.", code),
            404 => new HubException($"{what} was not found (404). Check the repository name and --revision; `lft pull --help` lists the catalog names.", code),
            416 => new HubException($"{what}: the hub refused the resume range (416); delete the partial download and pull again.", code),
            _ => new HubException($"{what}: the hub answered {code} {response.ReasonPhrase}. Try again later.", code),
        };
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static long? HeaderLong(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) && long.TryParse(v.FirstOrDefault(), out var n) ? n : null;

    /// <summary>An ETag value without W/ and quotes.</summary>
    private static string? HeaderEtag(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) && v.FirstOrDefault() is { Length: > 0 } raw
            ? raw.Replace("W/", "", StringComparison.Ordinal).Trim('"') : null;
}
