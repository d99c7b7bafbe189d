using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Schedules;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Execution.Schedules;
using LocalFineTune.Server.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

public sealed record ScheduleView(string Id, string? Name, string Cron, string TimeZone, JsonElement Job, string? ContinueFrom, string Promote,
    string? Holdout, string BaseModel, DateTimeOffset CreatedAt, DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt, string? LastJobId, string? LastError);

public sealed record ScheduleListResponse(IReadOnlyList<ScheduleView> Schedules, int Total);

public sealed record ScheduleRunResponse(string ScheduleId, string JobId, string Status, string Model, string Dataset);

/// <summary>/api/finetune/schedules: recurring trainings (the monthly retrain), stored in our database and fired by Hangfire.</summary>
public static class ScheduleEndpoints
{
    public static RouteGroupBuilder MapSchedules(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/finetune/schedules").WithTags("Schedules").WithApiProblems();
        group.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Create a schedule: {cron, time_zone?, job: a /start body whose dataset_url may hold {yyyy-MM}, continue_from?, promote?, holdout?, name?}.");
        group.MapGet("/", List).WithSummary("Schedules, oldest first, with their next and last run.");
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One schedule.");
        group.MapDelete("/{id}", Delete).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Delete a schedule (its jobs and models stay).");
        group.MapPost("/{id}/run", RunNow).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Run the schedule now (the dataset pattern resolves to today); answers 202 with the job.");
        return group;
    }

    private static async Task<Created<ScheduleView>> CreateAsync(HttpRequest request, ScheduleService schedules, CancellationToken cancellation)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellation);
        var record = schedules.Create(body);
        return TypedResults.Created($"/api/finetune/schedules/{record.Id}", View(record, schedules));
    }

    private static Ok<ScheduleListResponse> List(ScheduleService schedules)
    {
        var views = schedules.List().Select(s => View(s, schedules)).ToList();
        return TypedResults.Ok(new ScheduleListResponse(views, views.Count));
    }

    private static Ok<ScheduleView> Get(string id, ScheduleService schedules) => TypedResults.Ok(View(schedules.Get(id), schedules));

    private static NoContent Delete(string id, ScheduleService schedules)
    {
        schedules.Delete(id);
        return TypedResults.NoContent();
    }

    private static Accepted<ScheduleRunResponse> RunNow(string id, ScheduleService schedules)
    {
        var job = schedules.RunNow(id);
        var spec = TrainingJobSpec.FromJson(job.SpecJson);
        return TypedResults.Accepted($"/api/finetune/status/{job.Id}",
            new ScheduleRunResponse(id, job.Id, job.State.ToWireName(), spec.Model, spec.DatasetUrl));
    }

    private static ScheduleView View(ScheduleRecord s, ScheduleService schedules)
    {
        var d = ScheduleDefinition.FromJson(s.TemplateJson);
        return new ScheduleView(s.Id, s.Name, s.Cron, s.TimeZone, JsonSerializer.SerializeToElement(d.Job), d.ContinueFrom, d.Promote, d.Holdout,
            d.BaseModel, DateTimeOffset.FromUnixTimeSeconds(s.CreatedAt), schedules.NextRun(s),
            s.LastRunAt is { } last ? DateTimeOffset.FromUnixTimeSeconds(last) : null, s.LastJobId, s.LastError);
    }
}
