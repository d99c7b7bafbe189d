using LocalFineTune.Server.Dashboard;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// With LocalFineTune:ApiKey set, every request except GET /health and the dashboard's login page and assets must
/// carry "Authorization: Bearer &lt;key&gt;", "X-Api-Key: &lt;key&gt;" or the dashboard's session cookie
/// (<see cref="ApiKeyCheck"/> decides).
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyCheck check)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var verdict = context.Request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase) || DashboardEndpoints.IsPublic(context.Request)
            ? ApiKeyVerdict.Allowed
            : check.Evaluate(context.Request);
        if (verdict == ApiKeyVerdict.Allowed)
        {
            await next(context);
            return;
        }
        if (verdict == ApiKeyVerdict.CookieWithoutHeader)
        {
            await ApiProblems.Create(StatusCodes.Status403Forbidden, "Forbidden", ApiKeyCheck.DashboardHeader, "missing_dashboard_header",
                ApiKeyCheck.CsrfMessage).ExecuteAsync(context);
            return;
        }
        var problem = ApiProblems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", "Authorization", "invalid_api_key",
            "This service requires an API key: send 'Authorization: Bearer <key>' (or 'X-Api-Key: <key>') with the key set in LocalFineTune:ApiKey.");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await problem.ExecuteAsync(context);
    }
}
