using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Execution;
using LocalFineTune.Training.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Endpoints;

public sealed record InfoResponse(
    bool Available,
    IReadOnlyList<string> SupportedModels,
    IReadOnlyList<string> SupportedFormats,
    IReadOnlyDictionary<string, string> Endpoints,
    IReadOnlyList<DeviceView> Devices,
    IReadOnlyDictionary<string, object> Defaults,
    IReadOnlyDictionary<string, int[]> Ranges,
    IReadOnlyList<string> Statuses,
    string? Note,
    IReadOnlyDictionary<string, ModelDefaultsView>? ModelDefaults = null,
    IReadOnlyList<CatalogModelView>? Catalog = null,
    IReadOnlyDictionary<string, string>? MemoryFormulas = null);

/// <summary>What a job on this base trains with when the request leaves a field out (the base's training_defaults.json applied).</summary>
public sealed record ModelDefaultsView(object Epochs, object BatchSize, double? LearningRate, string? Source);

/// <summary>GET /api/finetune/info: what this service can do right now (bases really on disk, devices with memory).</summary>
public static class InfoEndpoints
{
    private static readonly IReadOnlyDictionary<string, string> EndpointList = new Dictionary<string, string>
    {
        ["info"] = "GET /api/finetune/info",
        ["start"] = "POST /api/finetune/start",
        ["validate"] = "POST /api/finetune/validate",
        ["status"] = "GET /api/finetune/status/{job_id}",
        ["models"] = "GET /api/finetune/models",
        ["jobs"] = "GET /api/finetune/jobs?status=&after=&limit=",
        ["cancel"] = "POST /api/finetune/jobs/{job_id}/cancel",
        ["events"] = "GET /api/finetune/jobs/{job_id}/events (Accept: text/event-stream for live progress)",
        ["generate"] = "POST /api/generate",
        ["health"] = "GET /health",
        ["openapi"] = "GET /openapi/v1.json",
        ["dashboard"] = "GET /hangfire (Hangfire's queue; with an API key: the key as header, or the dashboard's login cookie)",
    };

    public static RouteHandlerBuilder MapInfo(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/finetune/info", Info).WithTags("Fine-tuning").WithSummary("Supported models, formats, devices and endpoints.");

    private static Ok<InfoResponse> Info(ModelCatalog catalog, DeviceInventory devices, IOptions<ServerOptions> options)
    {
        var bases = catalog.ListBases();
        var supported = bases.Where(b => b.ModelType is null || ModelCatalog.SupportedModelTypes.Contains(b.ModelType)).Select(b => b.Name).ToList();
        var unsupported = bases.Where(b => b.ModelType is not null && !ModelCatalog.SupportedModelTypes.Contains(b.ModelType))
            .Select(b => $"{b.Name} ({b.ModelType})").ToList();
        var deviceViews = devices.List(options.Value.Devices);
        var note = unsupported.Count > 0 ? $"Found but not trainable yet (only GPT-2 family): {string.Join(", ", unsupported)}." : null;
        return TypedResults.Ok(new InfoResponse(
            Available: supported.Count > 0 && deviceViews.Any(d => d.Available),
            SupportedModels: supported,
            SupportedFormats: ["csv", "jsonl"],
            Endpoints: EndpointList,
            Devices: deviceViews,
            Defaults: DefaultsOf(new TrainingOptions()),
            Ranges: new Dictionary<string, int[]> { ["epochs"] = [1, StartRequestParser.MaxEpochs], ["batch_size"] = [1, StartRequestParser.MaxBatchSize] },
            Statuses: ["validating_files", "queued", "running", "succeeded", "failed", "cancelled"],
            Note: note,
            ModelDefaults: bases.Where(b => supported.Contains(b.Name)).ToDictionary(b => b.Name, b => ModelDefaultsOf(b.Path)),
            Catalog: CatalogView.List(catalog),
            MemoryFormulas: new Dictionary<string, string> { ["full"] = CatalogView.FullFormula, ["lora"] = CatalogView.LoraFormula }));
    }

    private static Dictionary<string, object> DefaultsOf(TrainingOptions o) => new()
    {
        ["epochs"] = (object?)o.Epochs.Value ?? "auto", ["batch_size"] = (object?)o.BatchSize.Value ?? "auto", ["learning_rate"] = o.PeakLearningRate,
        ["learning_rate_lora"] = TrainingOptions.LoraLearningRate, ["method"] = "auto",
    };

    /// <summary>The same resolver the start endpoints use; a broken defaults file is shown rather than failing the whole page.</summary>
    private static ModelDefaultsView ModelDefaultsOf(string path)
    {
        try
        {
            var o = TrainingDefaults.For(path);
            var source = File.Exists(Path.Combine(path, TrainingDefaults.FileName)) ? TrainingDefaults.FileName : null;
            return new ModelDefaultsView((object?)o.Epochs.Value ?? "auto", (object?)o.BatchSize.Value ?? "auto", o.PeakLearningRate, source);
        }
        catch (InvalidDataException e)
        {
            return new ModelDefaultsView("?", "?", null, e.Message);
        }
    }
}
