using System.Security.Cryptography;
using System.Text;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// With LocalFineTune:ApiKey set, every request except GET /health must carry "Authorization: Bearer &lt;key&gt;" or
/// "X-Api-Key: &lt;key&gt;". Compared in constant time so response timing does not leak the key.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, string apiKey)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase) || IsAuthorized(context.Request))
        {
            await next(context);
            return;
        }
        var problem = ApiProblems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", "Authorization", "invalid_api_key",
            "This service requires an API key: send 'Authorization: Bearer <key>' (or 'X-Api-Key: <key>') with the key set in LocalFineTune:ApiKey.");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await problem.ExecuteAsync(context);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var presented = request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? auth["Bearer ".Length..].Trim()
            : request.Headers["X-Api-Key"].ToString();
        // Hash both sides first: FixedTimeEquals needs equal lengths, and the length of the key must not leak either.
        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
    }
}
