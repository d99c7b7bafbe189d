using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Problems;

/// <summary>
/// Every error the API returns is RFC 9457 ProblemDetails. Besides title/detail, "param" names the request field at
/// fault (null when none) and "code" is a stable machine-readable word, so clients can react without parsing text.
/// The detail always says how to fix the request.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string param, string code, string detail,
        IDictionary<string, object?>? extra = null) =>
        Create(StatusCodes.Status400BadRequest, "Invalid request", param, code, detail, extra);

    public static ProblemHttpResult NotFound(string param, string code, string detail) =>
        Create(StatusCodes.Status404NotFound, "Not found", param, code, detail);

    public static ProblemHttpResult Conflict(string param, string code, string detail) =>
        Create(StatusCodes.Status409Conflict, "Conflict", param, code, detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", "Content-Type", "unsupported_media_type", detail);

    public static ProblemHttpResult Create(int status, string title, string? param, string code, string detail,
        IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["param"] = param, ["code"] = code };
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }
        return TypedResults.Problem(detail: ClientText.Bound(detail), statusCode: status, title: title, extensions: extensions);
    }
}

/// <summary>A request problem found deep in parsing; endpoints turn it into a 400 (or the given status).</summary>
public sealed class ApiProblemException(string? param, string code, string detail, int status = StatusCodes.Status400BadRequest,
    IDictionary<string, object?>? extra = null) : Exception(detail)
{
    public string? Param { get; } = param;
    public string Code { get; } = code;
    public int Status { get; } = status;
    public IDictionary<string, object?>? Extra { get; } = extra;

    public ProblemHttpResult ToResult() =>
        ApiProblems.Create(Status, Status == 404 ? "Not found" : "Invalid request", Param, Code, Message, Extra);
}
