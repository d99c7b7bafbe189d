using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Server.OpenAi.FineTuning;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.OpenAi.Models;

/// <summary>A model name as /v1 accepts it, resolved to its folder.</summary>
public sealed record ResolvedModel(string Name, string Path, string BaseModel, bool IsFineTuned);

/// <summary>
/// Names /v1 accepts for "model": a base under models/base/, an ft:… name, an ft:…:ckpt-step-N checkpoint, or a
/// fine-tuned folder name (what /api/finetune and the CLI produce). Unknown names answer 404 model_not_found.
/// </summary>
public sealed class OpenAiModelResolver(ModelCatalog catalog, FineTunedNames names)
{
    public ResolvedModel Resolve(string name, string param = "model")
    {
        if (FineTunedNames.Parse(name) is { } ft)
        {
            var path = ft.CheckpointStep is null ? names.FindFolder(name) : names.ResolveCheckpoint(name, ft, param);
            return path is not null ? new ResolvedModel(name, path, ft.BaseModel, true)
                : throw OpenAiException.NotFound($"The model '{name}' does not exist. GET /v1/models lists the models this server has.", param, "model_not_found");
        }
        try
        {
            var path = catalog.Resolve(name, allowPath: false, param);
            var folder = System.IO.Path.GetFileName(path.TrimEnd(System.IO.Path.DirectorySeparatorChar));
            var marker = folder.IndexOf(Training.Output.OutputFolders.Infix, StringComparison.Ordinal);
            var isFineTuned = !path.StartsWith(catalog.BaseRoot, StringComparison.Ordinal);
            return new ResolvedModel(name, System.IO.Path.GetFullPath(path), marker > 0 ? folder[..marker] : folder, isFineTuned);
        }
        catch (ApiProblemException e) when (e.Code == "model_not_downloaded")
        {
            // A known base that is only missing on disk is a fixable bad request, not an unknown model.
            throw OpenAiException.BadRequest(e.Message, param, e.Code);
        }
        catch (ApiProblemException e) when (e.Status is 400 or 404)
        {
            throw OpenAiException.NotFound($"The model '{name}' does not exist. {e.Message}", param, "model_not_found");
        }
    }
}
