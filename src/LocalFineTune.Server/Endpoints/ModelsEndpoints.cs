using LocalFineTune.Server.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LocalFineTune.Server.Endpoints;

/// <param name="LatestSource">On each base's latest: "promoted" (stored pointer) or "newest" (no pointer stored: the newest folder).</param>
public sealed record FineTunedModelView(string Name, string BaseModel, string Created, double SizeMb, bool Latest, string Path, string? LatestSource);

public sealed record ModelListResponse(IReadOnlyList<FineTunedModelView> Models, int Total);

/// <summary>GET /api/finetune/models: the fine-tuned output folders, newest first, each base's latest marked (stored pointer, else its newest folder).</summary>
public static class ModelsEndpoints
{
    public static RouteHandlerBuilder MapModels(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/finetune/models", List).WithTags("Models").WithSummary("Fine-tuned models under the models root.");

    private static Ok<ModelListResponse> List(ModelCatalog catalog)
    {
        var models = catalog.ListFineTuned()
            .Select(m => new FineTunedModelView(m.Name, m.BaseModel, m.Created.ToString("yyyy-MM-ddTHH:mm:ss"), m.SizeMb, m.Latest, m.Path, m.LatestSource))
            .ToList();
        return TypedResults.Ok(new ModelListResponse(models, models.Count));
    }
}
