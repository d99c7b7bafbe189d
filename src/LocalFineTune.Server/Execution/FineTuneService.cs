using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Problems;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>The API's verbs on top of the job store and worker; endpoints stay thin and all share one error style.</summary>
public sealed class FineTuneService(IJobStore store, JobDispatcher worker, StartRequestParser parser, IOptions<ServerOptions> options)
{
    public const string SourceApi = "api";
    public const int MaxPageSize = 100;

    public async Task<(JobRecord Job, TrainingJobSpec Spec)> StartAsync(JsonElement body, CancellationToken cancellation)
    {
        var spec = await parser.ParseAsync(body, cancellation);
        return (Create(spec, SourceApi), spec);
    }

    /// <summary>Creates the job of an already parsed spec (a start request, or a schedule's run).</summary>
    public JobRecord Create(TrainingJobSpec spec, string source, IReadOnlyDictionary<string, string>? metadata = null) =>
        store.Create(new NewJob
        {
            SpecJson = spec.ToJson(),
            Device = spec.TrainingOptions.Device,
            Source = source,
            MaxAttempts = options.Value.MaxAttempts,
            InitialState = JobState.ValidatingFiles,
            Metadata = metadata,
        });

    public JobRecord Get(string jobId) =>
        (JobIds.LooksLikeJobId(jobId) ? store.Get(jobId) : null)
        ?? throw new ApiProblemException("job_id", "job_not_found",
            $"No job with id '{jobId}'. Job ids look like ftjob-…; GET /api/finetune/jobs lists them.", StatusCodes.Status404NotFound);

    public Page<JobRecord> List(string? status, string? after, string? limit)
    {
        JobState? state = null;
        if (!string.IsNullOrEmpty(status))
        {
            state = JobStates.TryParseWireName(status, out var parsed) ? parsed
                : throw new ApiProblemException("status", "invalid_status",
                    $"Unknown status '{status}'. Use one of: {string.Join(", ", JobStates.All.Select(s => s.ToWireName()))} (\"completed\" is accepted as succeeded).");
        }
        var pageSize = ParseLimit(limit);
        if (after is not null && (!JobIds.LooksLikeJobId(after) || store.Get(after) is null))
        {
            throw new ApiProblemException("after", "job_not_found", $"'after' must be a job id from the previous page; '{after}' is not a known job.");
        }
        return store.List(new JobListQuery { State = state, After = after, Limit = pageSize });
    }

    public (CancelResult Result, JobRecord Job) Cancel(string jobId)
    {
        var job = Get(jobId);
        var result = worker.RequestCancel(job.Id);
        if (result == CancelResult.AlreadyFinal)
        {
            throw new ApiProblemException("job_id", "job_already_finished",
                $"Job {job.Id} is already {job.State.ToWireName()}; only validating_files, queued and running jobs can be cancelled.", StatusCodes.Status409Conflict);
        }
        return (result, store.Get(job.Id) ?? job);
    }

    public Page<JobEvent> Events(string jobId, string? after, string? limit, string order)
    {
        var job = Get(jobId);
        var pageSize = ParseLimit(limit);
        long? afterId = null;
        if (after is not null)
        {
            afterId = long.TryParse(after, out var id) && id >= 0 ? id
                : throw new ApiProblemException("after", "invalid_type", $"'after' must be an event id (a whole number) from the previous page, not '{after}'.");
        }
        if (order == "asc")
        {
            var items = store.ReadEventsSince(job.Id, afterId ?? 0, pageSize + 1);
            return new Page<JobEvent>(items.Take(pageSize).ToList(), items.Count > pageSize);
        }
        return store.ListEvents(job.Id, afterId, pageSize);
    }

    private static int ParseLimit(string? limit)
    {
        if (limit is null) return 20;
        return int.TryParse(limit, out var n) && n is >= 1 and <= MaxPageSize ? n
            : throw new ApiProblemException("limit", "invalid_limit", $"'limit' must be a whole number from 1 to {MaxPageSize}, not '{limit}'.");
    }
}
