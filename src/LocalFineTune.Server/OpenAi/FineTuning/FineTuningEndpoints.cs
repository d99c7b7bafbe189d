using LocalFineTune.Jobs;
using LocalFineTune.Server.OpenAi.Common;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>/v1/fine_tuning/jobs: create, list, retrieve, cancel, events, checkpoints. Same store and worker as /api/finetune.</summary>
public static class FineTuningEndpoints
{
    private const int MaxLimit = 100;

    public static RouteGroupBuilder MapOpenAiFineTuning(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/fine_tuning/jobs").WithTags("OpenAI").WithOpenAiErrors();
        group.MapPost("/", CreateAsync).WithSummary("Create a fine-tuning job from an uploaded training_file.");
        group.MapGet("/", List).WithSummary("Jobs, newest first; ?after=<job id>, ?limit=, ?metadata[k]=v.");
        group.MapGet("/{job_id}", (string job_id, IJobStore store, FineTuningJobViews views) => OpenAiJson.Ok(views.Job(Find(store, job_id))));
        group.MapPost("/{job_id}/cancel", Cancel);
        group.MapGet("/{job_id}/events", Events).WithSummary("fine_tuning.job.event objects, newest first; ?after=<event id>, ?limit=.");
        group.MapGet("/{job_id}/checkpoints", Checkpoints).WithSummary("Kept checkpoints, newest first; each usable as a model.");
        return group;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, FineTuningJobFactory factory, FineTuningJobViews views,
        Execution.JobLifecycleLog lifecycle, CancellationToken cancellation)
    {
        var body = await OpenAiJson.ReadObjectAsync(request, cancellation);
        var job = factory.Create(body);
        var spec = Execution.TrainingJobSpec.FromJson(job.SpecJson);
        lifecycle.Accepted(job, spec.Model, spec.DatasetUrl);
        return OpenAiJson.Ok(views.Job(job));
    }

    private static IResult List(HttpRequest request, IJobStore store, FineTuningJobViews views, string? after, string? limit)
    {
        var pageSize = Paging.Limit(limit, 20, MaxLimit);
        if (after is not null) Find(store, after, "after");
        var page = store.List(new JobListQuery { After = after, Limit = pageSize, Metadata = MetadataFilter(request) });
        return OpenAiJson.Ok(Paging.Of(page.Items.Select(views.Job).ToList(), page.HasMore, j => j.Id));
    }

    /// <summary>?metadata[key]=value pairs, all of which must match (OpenAI's filter syntax).</summary>
    private static Dictionary<string, string>? MetadataFilter(HttpRequest request)
    {
        var filter = new Dictionary<string, string>();
        foreach (var (key, value) in request.Query)
        {
            if (key.StartsWith("metadata[", StringComparison.Ordinal) && key.EndsWith(']') && key.Length > "metadata[]".Length)
                filter[key["metadata[".Length..^1]] = value.ToString();
        }
        return filter.Count > 0 ? filter : null;
    }

    private static IResult Cancel(string job_id, IJobStore store, JobDispatcher worker, FineTuningJobViews views)
    {
        var job = Find(store, job_id);
        if (worker.RequestCancel(job.Id) == CancelResult.AlreadyFinal)
        {
            throw new OpenAiException(StatusCodes.Status409Conflict,
                $"Job {job.Id} has already {job.State.ToWireName()}; only validating_files, queued and running jobs can be cancelled.", "job_id", "job_already_finished");
        }
        return OpenAiJson.Ok(views.Job(store.Get(job.Id) ?? job));
    }

    private static IResult Events(string job_id, IJobStore store, string? after, string? limit)
    {
        var job = Find(store, job_id);
        var page = store.ListEvents(job.Id, ParseId(after, "ftevent-", "after"), Paging.Limit(limit, 20, MaxLimit));
        return OpenAiJson.Ok(Paging.Of(page.Items.Select(FineTuningJobViews.Event).ToList(), page.HasMore, e => e.Id));
    }

    private static IResult Checkpoints(string job_id, IJobStore store, FineTuningJobViews views, string? after, string? limit)
    {
        var job = Find(store, job_id);
        var page = store.ListCheckpoints(job.Id, ParseId(after, "ftckpt_", "after"), Paging.Limit(limit, 10, MaxLimit));
        var items = page.Items.Select(c => views.Checkpoint(job, c)).OfType<JobCheckpointObject>().ToList();
        return OpenAiJson.Ok(Paging.Of(items, page.HasMore, c => c.Id));
    }

    private static JobRecord Find(IJobStore store, string id, string param = "job_id") =>
        (JobIds.LooksLikeJobId(id) ? store.Get(id) : null)
        ?? throw OpenAiException.NotFound($"No fine-tuning job with id '{id}'. Job ids look like ftjob-…; GET /v1/fine_tuning/jobs lists them.", param, "fine_tune_not_found");

    private static long? ParseId(string? value, string prefix, string param)
    {
        if (value is null) return null;
        var digits = value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value;
        return long.TryParse(digits, out var id) && id >= 0 ? id
            : throw OpenAiException.BadRequest($"Invalid '{param}': '{value}'. Pass the last id of the previous page (e.g. {prefix}42).", param, "invalid_value");
    }
}
