using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Server.OpenAi.Files;
using LocalFineTune.Server.OpenAi.FineTuning;

namespace LocalFineTune.Server.OpenAi.Models;

/// <summary>OpenAI's model object. Bases are owned by "system", fine-tuned models by the organization (as OpenAI does).</summary>
public sealed record ModelObject(string Id, long Created, string OwnedBy)
{
    public string Object => "model";
}

/// <summary>/v1/models: bases under models/base/ and fine-tuned folders (by ft: name when /v1 made them, else by folder name).</summary>
public static class ModelsEndpoints
{
    public static RouteGroupBuilder MapOpenAiModels(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/models").WithTags("OpenAI").WithOpenAiErrors();
        group.MapGet("/", (ModelCatalog catalog, FineTunedNames names) => OpenAiJson.Ok(ListAll(catalog, names)));
        group.MapGet("/{**model}", (string model, OpenAiModelResolver resolver, FineTunedNames names) => OpenAiJson.Ok(Describe(resolver.Resolve(model), names)));
        group.MapDelete("/{**model}", Delete);
        return group;
    }

    private static ListPage<ModelObject> ListAll(ModelCatalog catalog, FineTunedNames names)
    {
        var bases = catalog.ListBases().Select(b => new ModelObject(b.Name, CreatedOf(b.Path), "system"));
        var tuned = catalog.ListFineTuned().Select(f => new ModelObject(
            FineTunedNames.ReadRecord(f.Path) ?? f.Name, new DateTimeOffset(f.Created).ToUnixTimeSeconds(), names.Organization));
        var all = bases.Concat(tuned).ToList();
        return Paging.Of(all, false, m => m.Id);
    }

    private static ModelObject Describe(ResolvedModel model, FineTunedNames names) =>
        new(model.Name, CreatedOf(model.Path), model.IsFineTuned ? names.Organization : "system");

    private static IResult Delete(string model, OpenAiModelResolver resolver, ModelCatalog catalog)
    {
        var resolved = resolver.Resolve(model);
        var isPublishedFolder = catalog.ListFineTuned().Any(f => Path.GetFullPath(f.Path) == resolved.Path);
        if (!resolved.IsFineTuned || !isPublishedFolder)
        {
            throw new OpenAiException(StatusCodes.Status403Forbidden,
                $"'{model}' is not a fine-tuned model: only fine-tuned models can be deleted through the API " +
                "(checkpoints go when their job's folder is cleaned; bases are removed by hand from models/base/).", "model", "model_not_deletable");
        }
        Directory.Delete(resolved.Path, recursive: true);
        return OpenAiJson.Ok(new DeletedObject(model, "model", true));
    }

    private static long CreatedOf(string path) =>
        new DateTimeOffset(Directory.GetCreationTimeUtc(path), TimeSpan.Zero).ToUnixTimeSeconds();
}
