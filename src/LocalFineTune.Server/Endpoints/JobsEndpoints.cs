using LocalFineTune.Jobs;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

public sealed record JobListResponse(IReadOnlyList<JobStatusView> Jobs, bool HasMore, int Total);

public sealed record CancelResponse(string JobId, string Status, string Message);

public sealed record EventListResponse(IReadOnlyList<JobEventView> Events, bool HasMore);

/// <summary>Listing, cancelling and following jobs: /api/finetune/jobs…</summary>
public static class JobsEndpoints
{
    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/finetune/jobs").WithTags("Jobs").WithApiProblems();
        group.MapGet("/", List).WithSummary("Jobs, newest first. ?status= (\"completed\" = succeeded), ?after=<job_id>, ?limit=1..100.");
        group.MapPost("/{id}/cancel", Cancel).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Cancel a validating, queued or running job.");
        group.MapGet("/{id}/events", Events).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Log and metric events (newest first; ?order=asc oldest first). With Accept: text/event-stream or ?stream=true, a live server-sent event stream.");
        return group;
    }

    private static Ok<JobListResponse> List(FineTuneService service, string? status, string? after, string? limit)
    {
        var page = service.List(status, after, limit);
        var jobs = page.Items.Select(JobViews.Status).ToList();
        return TypedResults.Ok(new JobListResponse(jobs, page.HasMore, jobs.Count));
    }

    private static Ok<CancelResponse> Cancel(string id, FineTuneService service)
    {
        var (result, job) = service.Cancel(id);
        var message = result == CancelResult.Cancelled
            ? "Job cancelled before training started."
            : "Cancel requested; the job stops within one optimizer step and keeps no half-written model.";
        return TypedResults.Ok(new CancelResponse(job.Id, job.State.ToWireName(), message));
    }

    private static IResult Events(HttpContext http, string id, FineTuneService service, JobEventStream streams,
        string? after, string? limit, string? order, string? stream)
    {
        var wantsStream = string.Equals(stream, "true", StringComparison.OrdinalIgnoreCase)
            || http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        if (order is not null and not "asc" and not "desc")
        {
            throw new ApiProblemException("order", "invalid_order", $"'order' must be asc or desc, not '{order}'.");
        }
        if (wantsStream)
        {
            var job = service.Get(id);
            return TypedResults.ServerSentEvents(streams.Follow(job.Id, http.RequestAborted));
        }
        var page = service.Events(id, after, limit, order ?? "desc");
        return TypedResults.Ok(new EventListResponse(page.Items.Select(JobViews.Event).ToList(), page.HasMore));
    }
}
