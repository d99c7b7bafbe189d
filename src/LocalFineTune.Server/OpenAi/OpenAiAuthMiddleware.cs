using LocalFineTune.Server.Hosting;
using LocalFineTune.Server.OpenAi.Common;

namespace LocalFineTune.Server.OpenAi;

/// <summary>
/// Checks the key on /v1 requests (<see cref="ApiKeyCheck"/>: bearer, X-Api-Key or the dashboard's cookie) and answers
/// OpenAI's 401 shape (type authentication_error), which is what SDKs turn into AuthenticationError. Other paths pass
/// on to the host's own key check (same key, same checker).
/// </summary>
public sealed class OpenAiAuthMiddleware(RequestDelegate next, ApiKeyCheck check)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var verdict = context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
            ? check.Evaluate(context.Request)
            : ApiKeyVerdict.Allowed;
        if (verdict == ApiKeyVerdict.Allowed)
        {
            await next(context);
            return;
        }
        if (verdict == ApiKeyVerdict.CookieWithoutHeader)
        {
            await OpenAiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyCheck.CsrfMessage,
                ApiKeyCheck.DashboardHeader, "missing_dashboard_header", "permission_error");
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var presented = context.Request.Headers.Authorization.Count > 0;
        await OpenAiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized,
            presented
                ? "Incorrect API key provided. Use the key this server was started with (LocalFineTune:ApiKey / --api-key)."
                : "You didn't provide an API key. Send 'Authorization: Bearer <key>' (the OpenAI SDKs do this from OPENAI_API_KEY).",
            null, "invalid_api_key", "authentication_error");
    }
}
