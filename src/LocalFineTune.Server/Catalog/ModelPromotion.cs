using LocalFineTune.Jobs.Models;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Catalog;

/// <summary>Moves a base's stored "latest" pointer to one of its fine-tuned folders (promotion, or a rollback by hand).</summary>
public sealed class ModelPromotion(ModelCatalog catalog, IModelPointers pointers)
{
    /// <summary>Points the base of <paramref name="modelName"/> at it. 404 naming what exists when no such fine-tuned folder is on disk.</summary>
    public ModelPointer Promote(string modelName, string? jobId, string reason)
    {
        var folders = catalog.ListFineTuned();
        var model = folders.FirstOrDefault(f => f.Name == modelName) ?? throw new ApiProblemException("name", "model_not_found",
            $"No fine-tuned model named '{ClientText.Echo(modelName)}' under {catalog.ModelsRoot}. GET /api/finetune/models lists them: " +
            (folders.Count == 0 ? "(none yet)" : string.Join(", ", folders.Select(f => f.Name))) + ".",
            StatusCodes.Status404NotFound);
        return pointers.SetLatest(model.BaseModel, model.Name, jobId, reason);
    }
}
