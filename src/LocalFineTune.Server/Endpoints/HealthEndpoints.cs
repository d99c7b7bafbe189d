using LocalFineTune.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

public sealed record HealthResponse(string Status, int RunningJobs, DateTimeOffset Time);

/// <summary>GET /health: liveness for load balancers; never needs the API key. Touches the store so a broken database shows.</summary>
public static class HealthEndpoints
{
    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/health", Health).WithTags("Health").WithSummary("Liveness; also checks the job database.");

    private static Results<Ok<HealthResponse>, ProblemHttpResult> Health(IJobStore store, JobDispatcher worker)
    {
        try
        {
            store.List(new JobListQuery { Limit = 1 });
            return TypedResults.Ok(new HealthResponse("ok", worker.ActiveJobIds.Count, DateTimeOffset.UtcNow));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return TypedResults.Problem(detail: $"The job database is not usable: {e.Message} Check the state folder's disk and permissions.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unhealthy");
        }
    }
}
