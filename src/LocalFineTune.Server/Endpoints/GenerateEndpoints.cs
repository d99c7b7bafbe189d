using System.Text.Json;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Problems;
using LocalFineTune.Server.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Endpoints;

public sealed record GenerateResponse(string Model, string ModelPath, string Prompt, string Text, int PromptTokens, int CompletionTokens, string FinishReason, double Seconds);

public sealed record GenerateRequestDoc(string Model, string Prompt, int? MaxNewTokens = 64, double? Temperature = 0.8, double? TopP = 1.0, int? TopK = null, int? Seed = null);

/// <summary>POST /api/generate: try a model (a name, a path under the models root, or "latest") on a prompt.</summary>
public static class GenerateEndpoints
{
    public const int MaxNewTokensLimit = 1024;
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public static RouteHandlerBuilder MapGenerate(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/generate", GenerateAsync).WithTags("Generation").WithApiProblems()
            .Accepts<GenerateRequestDoc>("application/json", "*/*")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Generate text with a base or fine-tuned model.");

    private static async Task<Results<Ok<GenerateResponse>, ProblemHttpResult>> GenerateAsync(HttpRequest request, ModelCatalog catalog,
        IGenerationBackend backend, IOptions<ServerOptions> options, IHostApplicationLifetime lifetime, CancellationToken aborted)
    {
        // A disconnect or the shutdown stops the request in any phase, and the slot is released as the handler leaves.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        var cancellation = stop.Token;
        var body = await JsonBody.ReadObjectAsync(request, cancellation);
        var parsed = Parse(body, catalog, options.Value.MaxGeneratePromptCharacters);
        // Generation holds a whole model in memory and saturates the cores: one at a time, others wait a bit, then 429.
        if (!await OneAtATime.WaitAsync(TimeSpan.FromSeconds(30), cancellation))
        {
            return ApiProblems.Create(StatusCodes.Status429TooManyRequests, "Busy", null, "generation_busy",
                "Another generation is running; retry in a few seconds.");
        }
        try
        {
            // WaitAsync: the slot is released when the client leaves even if the thread is still between two token checks.
            var result = await Task.Factory.StartNew(() => backend.Generate(parsed, cancellation), cancellation,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(cancellation);
            return TypedResults.Ok(new GenerateResponse(parsed.Model, parsed.ModelPath, parsed.Prompt, result.Text,
                result.PromptTokens, result.CompletionTokens, result.FinishReason, result.Seconds));
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private static GenerateRequestParsed Parse(JsonElement body, ModelCatalog catalog, int maxPromptCharacters)
    {
        var model = String(body, "model") ?? throw new ApiProblemException("model", "missing_required_parameter",
            "'model' is required: a base name, a fine-tuned model name, a folder under the models root, or \"latest\".");
        var prompt = String(body, "prompt") ?? throw new ApiProblemException("prompt", "missing_required_parameter", "'prompt' is required: the text to continue.");
        if (prompt.Length > maxPromptCharacters)
            throw new ApiProblemException("prompt", "limit_exceeded", $"The prompt is {prompt.Length} characters; this server accepts at most " +
                $"{maxPromptCharacters} (LocalFineTune:MaxGeneratePromptCharacters). Shorten it, or raise the limit in the server's configuration.");
        var path = catalog.Resolve(model, allowPath: true);
        var maxNew = Int(body, "max_new_tokens") ?? 64;
        if (maxNew is < 1 or > MaxNewTokensLimit)
            throw new ApiProblemException("max_new_tokens", "invalid_parameter", $"max_new_tokens {maxNew} is out of range; use 1 to {MaxNewTokensLimit} (and within the model's context).");
        var temperature = Double(body, "temperature") ?? 0.8;
        if (temperature is < 0 or > 5)
            throw new ApiProblemException("temperature", "invalid_parameter", $"temperature {temperature} is out of range; use 0 (greedy) to 5.");
        var topP = Double(body, "top_p") ?? 1.0;
        if (topP is <= 0 or > 1)
            throw new ApiProblemException("top_p", "invalid_parameter", $"top_p {topP} is out of range; use a value above 0 and at most 1.");
        var topK = Int(body, "top_k");
        if (topK is < 0)
            throw new ApiProblemException("top_k", "invalid_parameter", $"top_k {topK} is negative; use 0 (off) or more.");
        return new GenerateRequestParsed(model, path, prompt, maxNew, temperature, topP, topK, Int(body, "seed"))
        {
            MaxNewTokensGiven = Int(body, "max_new_tokens") is not null,
        };
    }

    private static string? String(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new ApiProblemException(name, "invalid_type", $"'{name}' must be a string.");

    private static int? Int(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : throw new ApiProblemException(name, "invalid_type", $"'{name}' must be a whole number within ±2147483647.");

    private static double? Double(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d
        : throw new ApiProblemException(name, "invalid_type", $"'{name}' must be a finite number.");
}
