using LocalFineTune.Jobs;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

public sealed record StartResponse(string Status, string JobId, string Message, IDictionary<string, object?> Config);

/// <summary>The seed contract's core: POST /api/finetune/start and GET /api/finetune/status/{job_id}.</summary>
public static class FineTuneEndpoints
{
    public static RouteGroupBuilder MapFineTune(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/finetune").WithTags("Fine-tuning").WithApiProblems();
        group.MapPost("/start", StartAsync)
            // "*/*" keeps routing from answering 415 itself: JsonBody decides, with a ProblemDetails naming Content-Type.
            .Accepts<StartRequestDoc>("application/json", "*/*")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Start a fine-tuning job; answers 202 at once with the resolved config.");
        group.MapGet("/status/{job_id}", Status)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A job's status, progress (0..1), figures and, once succeeded, model_path.");
        return group;
    }

    private static async Task<Accepted<StartResponse>> StartAsync(HttpRequest request, FineTuneService service, JobLifecycleLog lifecycle,
        CancellationToken cancellation)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellation);
        var (job, spec) = await service.StartAsync(body, cancellation);
        lifecycle.Accepted(job, spec.Model, spec.DatasetUrl);
        var config = ResolvedConfig(spec);
        var response = new StartResponse("started", job.Id, $"Fine-tuning started for {spec.Model}", config);
        return TypedResults.Accepted($"/api/finetune/status/{job.Id}", response);
    }

    private static Ok<JobStatusView> Status(string job_id, FineTuneService service) =>
        TypedResults.Ok(JobViews.Status(service.Get(job_id)));

    /// <summary>The seed's config keys first (model, dataset, epochs, batch_size, learning_rate), then every other option.</summary>
    private static IDictionary<string, object?> ResolvedConfig(TrainingJobSpec spec)
    {
        var config = new Dictionary<string, object?> { ["model"] = spec.Model, ["dataset"] = spec.DatasetUrl };
        foreach (var property in spec.Options.EnumerateObject())
        {
            config[property.Name] = property.Value.Clone();
        }
        return config;
    }
}

/// <summary>The request body, for the OpenAPI document only (the handler reads the JSON itself to give precise errors).</summary>
public sealed record StartRequestDoc(
    string Model, string DatasetUrl, int? Epochs = 3, int? BatchSize = 4, double? LearningRate = 2e-5,
    int? GradientAccumulationSteps = 1, int? WarmupSteps = 0, double? WarmupRatio = 0, string? LrScheduler = "linear",
    double? WeightDecay = 0, double? MaxGradNorm = 1, int? MaxSeqLength = null, int? Seed = 42, int? EvalSteps = 0,
    int? SaveSteps = null, int? SaveTotalLimit = 2, string? Device = "auto");
