using LocalFineTune.Server.Hosting;
using LocalFineTune.Server.Problems;
using Scalar.AspNetCore;

namespace LocalFineTune.Server.Dashboard;

public sealed record LoginRequest(string? ApiKey);

/// <summary>What GET / answers a client that does not ask for HTML: where things are.</summary>
public sealed record ServiceIndex(string Service, string Dashboard, string ApiReference, string Openapi, string Info, string Health, bool ApiKeyRequired);

/// <summary>
/// The browser dashboard: GET / (the app, or the login form when a key is configured and the request has no session),
/// the login/logout pair that sets the HttpOnly SameSite=Strict session cookie, the embedded assets, and the API
/// reference (Scalar over /openapi/v1.json) at /api-reference. The app itself only calls the public JSON APIs.
/// </summary>
public static class DashboardEndpoints
{
    public const string AssetPrefix = "/dashboard/assets";
    public const string LoginPath = "/dashboard/login";
    public const string LogoutPath = "/dashboard/logout";
    public const string ApiReferencePath = "/api-reference";

    /// <summary>Open even with a key: the login page (GET /), its assets (code, no data) and login/logout themselves.</summary>
    public static bool IsPublic(HttpRequest request)
    {
        var path = request.Path;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return path == "/" || path.StartsWithSegments(AssetPrefix, StringComparison.Ordinal);
        }
        return HttpMethods.IsPost(request.Method) && (path == LoginPath || path == LogoutPath);
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", Home).ExcludeFromDescription();
        endpoints.MapGet(AssetPrefix + "/{**name}", Asset).ExcludeFromDescription();
        endpoints.MapPost(LoginPath, Login).ExcludeFromDescription();
        endpoints.MapPost(LogoutPath, Logout).ExcludeFromDescription();
        endpoints.MapScalarApiReference(ApiReferencePath, options =>
        {
            // Offline: Scalar's script is embedded in its package; its default fonts and telemetry would reach the internet.
            options.Title = "LocalFineTune API reference";
            options.DefaultFonts = false;
            options.Telemetry = false;
            options.OpenApiRoutePattern = "/openapi/{documentName}.json";
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Home(HttpContext http, ApiKeyCheck check, DashboardAssets assets)
    {
        http.Response.Headers.Vary = "Accept, Cookie";
        http.Response.Headers.CacheControl = "no-store";
        if (!WantsHtml(http.Request))
        {
            return TypedResults.Ok(new ServiceIndex("LocalFineTune", "/", ApiReferencePath, "/openapi/v1.json", "/api/finetune/info", "/health", check.Enabled));
        }
        var signedIn = check.Evaluate(http.Request) == ApiKeyVerdict.Allowed;
        return Serve(http, assets.Find(signedIn ? "index.html" : "login.html")!);
    }

    private static IResult Asset(HttpContext http, string name, DashboardAssets assets) =>
        assets.Find(name) is { } asset && name is not ("index.html" or "login.html")
            ? Serve(http, asset)
            : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"The dashboard has no asset '{name}'.");

    private static IResult Login(HttpContext http, LoginRequest? body, ApiKeyCheck check)
    {
        if (!http.Request.Headers.ContainsKey(ApiKeyCheck.DashboardHeader))
        {
            return ApiProblems.Create(403, "Forbidden", ApiKeyCheck.DashboardHeader, "missing_dashboard_header",
                "The login request must carry 'X-LFT-Dashboard: 1' (the dashboard's login form sends it).");
        }
        if (!check.Enabled) return TypedResults.NoContent();
        if (!check.MatchesKey(body?.ApiKey))
        {
            return ApiProblems.Create(401, "Unauthorized", "api_key", "invalid_api_key",
                "That is not this server's API key. Use the key `lft serve` was started with (--api-key or LocalFineTune:ApiKey).");
        }
        http.Response.Cookies.Append(ApiKeyCheck.CookieName, check.SessionToken!, CookieOptions(http.Request));
        return TypedResults.NoContent();
    }

    private static IResult Logout(HttpContext http)
    {
        http.Response.Cookies.Delete(ApiKeyCheck.CookieName, CookieOptions(http.Request));
        return TypedResults.NoContent();
    }

    private static CookieOptions CookieOptions(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        MaxAge = TimeSpan.FromDays(7),
        IsEssential = true,
    };

    private static IResult Serve(HttpContext http, DashboardAsset asset)
    {
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        http.Response.Headers.ETag = asset.ETag;
        if (string.IsNullOrEmpty(http.Response.Headers.CacheControl)) http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static bool WantsHtml(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
}
