using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

/// <summary>POST /api/finetune/validate: a start request's dataset checked now, with the time the job would take.</summary>
public static class ValidateEndpoints
{
    public static RouteGroupBuilder MapValidate(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/finetune").WithTags("Fine-tuning").WithApiProblems();
        group.MapPost("/validate", ValidateAsync)
            // "*/*" keeps routing from answering 415 itself: JsonBody decides, with a ProblemDetails naming Content-Type.
            .Accepts<ValidateRequestDoc>("application/json", "*/*")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Check a start request's dataset without starting a job: the validation report (errors by line with codes, " +
                "counts, tokens, truncation) and an estimate of the job's time on its device. Invalid data is a 200 with valid false.");
        return group;
    }

    private static async Task<Ok<DataCheckResult>> ValidateAsync(HttpRequest request, DataCheckService checks, CancellationToken cancellation)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellation);
        return TypedResults.Ok(await checks.CheckAsync(body, cancellation));
    }
}

/// <summary>The request body, for the OpenAPI document only: POST /api/finetune/start's, with training_file (and
/// validation_file), ids from POST /v1/files, allowed instead of dataset_url.</summary>
public sealed record ValidateRequestDoc(
    string Model, string? DatasetUrl = null, string? TrainingFile = null, string? ValidationFile = null, int? Epochs = 3, int? BatchSize = 4,
    double? LearningRate = 2e-5, int? GradientAccumulationSteps = 1, int? MaxSeqLength = null, int? Seed = 42, int? EvalSteps = 0,
    string? Method = "auto", string? Device = "auto");
