using System.Net;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Datasets;

/// <summary>The checks on an http(s) dataset_url that need no network: scheme, host allow-list, literal IP addresses.</summary>
public static class DatasetUrls
{
    /// <summary>True for something that is meant as a URL (has a scheme), as opposed to a relative path.</summary>
    public static bool LooksLikeUrl(string value) =>
        value.Contains("://", StringComparison.Ordinal) || value.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws a 400 problem for a URL the service will never fetch.</summary>
    public static Uri ParseAllowed(string value, DownloadOptions options, AddressPolicy policy, string param = "dataset_url")
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new ApiProblemException(param, "invalid_url", $"dataset_url '{value}' is not a valid URL; use https://host/path/file.csv or a relative path under the data root.");
        }
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ApiProblemException(param, "unsupported_url_scheme",
                $"dataset_url scheme '{uri.Scheme}' is not supported; use http:// or https://, or a relative path under the data root.");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ApiProblemException(param, "invalid_url", "dataset_url must not carry a user name or password; use a pre-signed URL instead.");
        }
        var hostProblem = CheckHost(uri, options, policy, redirectFrom: null);
        if (hostProblem is not null)
        {
            throw new ApiProblemException(param, "url_not_allowed", hostProblem);
        }
        return uri;
    }

    /// <summary>Null when the URL's host may be contacted (before DNS); else why not.</summary>
    public static string? CheckHost(Uri uri, DownloadOptions options, AddressPolicy policy, Uri? redirectFrom)
    {
        var host = uri.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal) && policy.Check(literal) is { } reason)
        {
            return $"dataset_url host {host} is refused: {reason}. Datasets are fetched only from public addresses.";
        }
        if (options.AllowedHosts.Count > 0 && !IsListed(host, options.AllowedHosts))
        {
            return $"host '{host}' is not in LocalFineTune:Downloads:AllowedHosts ({string.Join(", ", options.AllowedHosts)}); " +
                "add it there or use an allowed host.";
        }
        if (options.AllowedHosts.Count == 0 && redirectFrom is not null
            && !string.Equals(redirectFrom.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            return $"the server redirected from '{redirectFrom.IdnHost}' to another host '{host}'; redirects may only stay on the same host " +
                "unless LocalFineTune:Downloads:AllowedHosts lists the target.";
        }
        return null;
    }

    private static bool IsListed(string host, IEnumerable<string> allowed) =>
        allowed.Any(entry => entry.StartsWith('.')
            ? host.EndsWith(entry, StringComparison.OrdinalIgnoreCase) || host.Equals(entry[1..], StringComparison.OrdinalIgnoreCase)
            : host.Equals(entry, StringComparison.OrdinalIgnoreCase));
}
