using LocalFineTune.Server.OpenAi.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace LocalFineTune.Server.Problems;

/// <summary>
/// The last line: an exception that escaped every endpoint filter (or was thrown by middleware, e.g. while Kestrel
/// reads a broken chunked body) is answered as the client's mistake when <see cref="ClientErrors"/> says it is one,
/// in the shape of the surface it hit (OpenAI's under /v1, ProblemDetails elsewhere). A client that already left gets
/// nothing. Anything else stays a 500: that is a server bug to fix, not to hide.
/// </summary>
public sealed class ClientErrorHandler(ILogger<ClientErrorHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            log.LogDebug("Request {Path} ended because the client disconnected.", context.Request.Path);
            return true;
        }
        if (ClientErrors.Find(exception) is not { } error || context.Response.HasStarted) return false;
        log.LogInformation("Request {Path} refused with {Status}: {Message}", context.Request.Path, error.Status, error.Message);
        context.Response.Clear();
        var result = context.Request.Path.StartsWithSegments("/v1")
            ? OpenAiErrors.Result(error.Status, error.Message, error.Param, error.Code)
            : ApiProblems.Create(error.Status, error.Status == 404 ? "Not found" : "Invalid request", error.Param, error.Code, error.Message);
        await result.ExecuteAsync(context);
        return true;
    }
}
