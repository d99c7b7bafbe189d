using System.Security.Cryptography;
using System.Text;

namespace LocalFineTune.Server.Hosting;

/// <summary>What a request's credentials amount to.</summary>
public enum ApiKeyVerdict
{
    Allowed,
    /// <summary>No key, or a wrong one: 401.</summary>
    Refused,
    /// <summary>The dashboard's cookie on a state-changing request without <see cref="ApiKeyCheck.DashboardHeader"/>: 403.</summary>
    CookieWithoutHeader,
}

/// <summary>
/// The one place that decides whether a request carries the API key: "Authorization: Bearer &lt;key&gt;", "X-Api-Key",
/// or the dashboard's session cookie. Every surface (/api, /v1, the dashboard, /hangfire) asks this, so they cannot
/// drift apart. The cookie holds an HMAC of a fixed label under the key, never the key itself: it stops working when
/// the key changes. Cookie-authenticated POST/PUT/PATCH/DELETE must also carry <see cref="DashboardHeader"/>: a
/// cross-site form cannot set a custom header, and SameSite=Strict already keeps the cookie off cross-site requests.
/// Compared in constant time on SHA-256 digests, so neither the key nor its length leaks through timing.
/// </summary>
public sealed class ApiKeyCheck
{
    public const string CookieName = "lft_session";
    public const string DashboardHeader = "X-LFT-Dashboard";

    private readonly byte[]? _expectedKey;
    private readonly byte[]? _expectedSession;

    /// <param name="apiKey">null or empty: the service is open (every request is allowed).</param>
    public ApiKeyCheck(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey)) return;
        _expectedKey = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        SessionToken = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), "lft-dashboard-session-v1"u8))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _expectedSession = SHA256.HashData(Encoding.UTF8.GetBytes(SessionToken));
    }

    /// <summary>False when no key is configured.</summary>
    public bool Enabled => _expectedKey is not null;

    /// <summary>The dashboard cookie's value for this key; null when no key is configured.</summary>
    public string? SessionToken { get; }

    public bool MatchesKey(string? presented) => Equal(presented, _expectedKey);

    public ApiKeyVerdict Evaluate(HttpRequest request)
    {
        if (!Enabled || MatchesKey(PresentedKey(request))) return ApiKeyVerdict.Allowed;
        if (!HasSession(request)) return ApiKeyVerdict.Refused;
        return IsSafeMethod(request.Method) || request.Headers.ContainsKey(DashboardHeader)
            ? ApiKeyVerdict.Allowed
            : ApiKeyVerdict.CookieWithoutHeader;
    }

    public bool HasSession(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var cookie) && Equal(cookie, _expectedSession);

    /// <summary>The key from "Authorization: Bearer …" or, failing that, "X-Api-Key".</summary>
    public static string PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : request.Headers["X-Api-Key"].ToString();
    }

    public const string CsrfMessage = "Requests authenticated by the dashboard's cookie must carry the header 'X-LFT-Dashboard: 1' " +
        "(the dashboard sends it); scripts should send 'Authorization: Bearer <key>' instead.";

    private static bool IsSafeMethod(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    // Hash both sides first: FixedTimeEquals needs equal lengths, and the length of the secret must not leak either.
    private static bool Equal(string? presented, byte[]? expected) =>
        expected is not null && !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);
}
