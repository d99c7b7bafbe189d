using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Problems;
using LocalFineTune.Training.Comparison;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

public sealed record CompareStarted(string Status, string ComparisonId, IReadOnlyList<ComparisonRecord.Entry> Jobs);

/// <summary>POST /api/finetune/compare (one job per base, same data and seed) and GET /api/finetune/compare/{id} (the table, best, samples).</summary>
public static class CompareEndpoints
{
    public static RouteGroupBuilder MapCompare(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/finetune/compare").WithTags("Compare").WithApiProblems();
        group.MapPost("/", StartAsync)
            .Accepts<CompareRequestDoc>("application/json", "*/*")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Fine-tune several bases on one dataset; answers 202 with a comparison id and one job per base.");
        group.MapGet("/{id}", (string id, ComparisonService comparisons) => TypedResults.Ok(comparisons.Report(id)))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Per base: status, eval loss and perplexity before/after, time, tokens/s, size, method; the best; held-out answers side by side.");
        return group;
    }

    private static async Task<Accepted<CompareStarted>> StartAsync(HttpRequest request, ComparisonService comparisons, CancellationToken cancellation)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellation);
        var record = comparisons.Start(body);
        return TypedResults.Accepted($"/api/finetune/compare/{record.Id}", new CompareStarted("started", record.Id, record.Models));
    }
}

/// <summary>The request body, for the OpenAPI document only: the shared hyperparameters are those of /api/finetune/start.</summary>
public sealed record CompareRequestDoc(IReadOnlyList<string> Models, string DatasetUrl, string? EvalFile = null, int? Samples = ComparisonService.DefaultSamples,
    int? Epochs = 3, int? BatchSize = 4, double? LearningRate = null, int? Seed = 42);
