using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

public sealed record PromotionResponse(string BaseModel, string Latest, string? PreviousModel, string? JobId, string Reason, string SetAt);

/// <summary>POST /api/finetune/models/{name}/promote: make a fine-tuned model its base's "latest" (a one-call rollback).</summary>
public static class PromotionEndpoints
{
    public static RouteHandlerBuilder MapPromotion(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/finetune/models/{name}/promote", Promote).WithTags("Models").WithApiProblems()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Point the model's base's \"latest\" at this fine-tuned model (e.g. roll back to last month's).");

    private static Ok<PromotionResponse> Promote(string name, ModelPromotion promotion) =>
        TypedResults.Ok(View(promotion.Promote(name, jobId: null, $"promoted by hand (POST /api/finetune/models/{name}/promote)")));

    public static PromotionResponse View(ModelPointer p) =>
        new(p.BaseModel, p.ModelName, p.PreviousModel, p.JobId, p.Reason, DateTimeOffset.FromUnixTimeSeconds(p.SetAt).ToString("yyyy-MM-ddTHH:mm:ssZ"));
}
