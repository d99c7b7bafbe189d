using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Execution;
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
    string? Note);

/// <summary>GET /api/finetune/info: what this service can do right now (bases really on disk, devices with memory).</summary>
public static class InfoEndpoints
{
    private static readonly IReadOnlyDictionary<string, string> EndpointList = new Dictionary<string, string>
    {
        ["info"] = "GET /api/finetune/info",
        ["start"] = "POST /api/finetune/start",
        ["status"] = "GET /api/finetune/status/{job_id}",
        ["models"] = "GET /api/finetune/models",
        ["jobs"] = "GET /api/finetune/jobs?status=&after=&limit=",
        ["cancel"] = "POST /api/finetune/jobs/{job_id}/cancel",
        ["events"] = "GET /api/finetune/jobs/{job_id}/events (Accept: text/event-stream for live progress)",
        ["generate"] = "POST /api/generate",
        ["health"] = "GET /health",
        ["openapi"] = "GET /openapi/v1.json",
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
            Defaults: new Dictionary<string, object> { ["epochs"] = 3, ["batch_size"] = 4, ["learning_rate"] = 2e-5 },
            Ranges: new Dictionary<string, int[]> { ["epochs"] = [1, StartRequestParser.MaxEpochs], ["batch_size"] = [1, StartRequestParser.MaxBatchSize] },
            Statuses: ["validating_files", "queued", "running", "succeeded", "failed", "cancelled"],
            Note: note));
    }
}
