using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.OpenAi.Common;

/// <summary>OpenAI's error body: {"error": {"message", "type", "param", "code"}}. SDKs read these four fields.</summary>
public sealed record OpenAiErrorBody(OpenAiErrorDetail Error);

public sealed record OpenAiErrorDetail(string Message, string Type, string? Param, string? Code);

/// <summary>
/// A request problem on /v1, thrown anywhere below a handler and written by <see cref="OpenAiErrors"/>.
/// Type follows OpenAI: invalid_request_error (4xx), authentication_error (401), rate_limit_error (429), server_error.
/// </summary>
public sealed class OpenAiException(int status, string message, string? param = null, string? code = null, string? type = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    public string Type { get; } = type ?? OpenAiErrors.TypeFor(status);

    public static OpenAiException BadRequest(string message, string? param, string code = "invalid_request_error") =>
        new(StatusCodes.Status400BadRequest, message, param, code);

    public static OpenAiException NotFound(string message, string? param, string code = "not_found") =>
        new(StatusCodes.Status404NotFound, message, param, code);
}

public static class OpenAiErrors
{
    public static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "invalid_request_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    public static IResult Result(int status, string message, string? param, string? code, string? type = null) =>
        TypedResults.Json(new OpenAiErrorBody(new OpenAiErrorDetail(ClientText.Bound(message), type ?? TypeFor(status), param, code)),
            OpenAiJson.Options, statusCode: status);

    public static Task WriteAsync(HttpContext context, int status, string message, string? param, string? code, string? type = null) =>
        Result(status, message, param, code, type).ExecuteAsync(context);

    /// <summary>
    /// Every /v1 handler runs inside this filter: our own exceptions, the seed API's problems (from shared helpers
    /// such as the model catalog), bad JSON and oversized bodies all become OpenAI-shaped 4xx answers, never a 500 page.
    /// </summary>
    public static TBuilder WithOpenAiErrors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (ToResult(e) is { } result)
            {
                return result;
            }
        });

    /// <summary>The client's mistake in <paramref name="e"/> (looking through wrappers), in OpenAI's shape; null for a server fault.</summary>
    public static IResult? ToResult(Exception e) =>
        ClientErrors.Find(e) is { } error ? Result(error.Status, error.Message, error.Param, error.Code) : null;
}
