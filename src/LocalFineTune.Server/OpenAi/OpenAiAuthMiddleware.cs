using System.Security.Cryptography;
using System.Text;
using LocalFineTune.Server.OpenAi.Common;

namespace LocalFineTune.Server.OpenAi;

/// <summary>
/// Checks "Authorization: Bearer &lt;key&gt;" on /v1 requests and answers OpenAI's 401 shape (type authentication_error),
/// which is what SDKs turn into AuthenticationError. Other paths pass on to the host's own key check (same key).
/// Compared in constant time on SHA-256 digests, so neither the key nor its length leaks through timing.
/// </summary>
public sealed class OpenAiAuthMiddleware(RequestDelegate next, string apiKey)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) || IsAuthorized(context.Request))
        {
            await next(context);
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

    public bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim()
            : request.Headers["X-Api-Key"].ToString();
        return presented.Length > 0
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
    }
}
