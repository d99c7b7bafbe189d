using System.Security.Cryptography;
using System.Text.Json;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Server.OpenAi.Models;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>
/// POST /v1/chat/completions and /v1/completions on any local model, ft: names and checkpoints included; stream:true
/// answers OpenAI's server-sent chunks ending with "data: [DONE]". A disconnect (RequestAborted) or the shutdown stops the generation.
/// </summary>
public static class CompletionsEndpoints
{
    public static IEndpointRouteBuilder MapOpenAiCompletions(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/chat/completions", (HttpContext http, [AsParameters] Services s) => HandleAsync(http, s, chat: true))
            .WithTags("OpenAI").WithOpenAiErrors().WithSummary("Chat with a local model (rendered with the training chat template).");
        routes.MapPost("/v1/completions", (HttpContext http, [AsParameters] Services s) => HandleAsync(http, s, chat: false))
            .WithTags("OpenAI").WithOpenAiErrors().WithSummary("Continue a prompt with a local model.");
        return routes;
    }

    /// <summary>The handler's dependencies, bound as one parameter.</summary>
    public sealed record Services(OpenAiModelResolver Models, GenerationGate Gate, IChatGenerator Generator, IOptions<OpenAiOptions> Options,
        IHostApplicationLifetime Lifetime);

    private static async Task<IResult> HandleAsync(HttpContext http, [AsParameters] Services s, bool chat)
    {
        // A disconnect or the server's shutdown ends the request in whatever phase it is: reading, queueing, loading,
        // tokenizing, generating or streaming. The slot (lease) is released as the handler leaves.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, s.Lifetime.ApplicationStopping);
        var token = stop.Token;
        try
        {
            var body = await OpenAiJson.ReadObjectAsync(http.Request, token);
            var limits = s.Options.Value;
            var request = chat ? CompletionRequest.ParseChat(body, limits) : CompletionRequest.ParseText(body, limits);
            var model = s.Models.Resolve(request.Model);
            using var lease = await s.Gate.EnterAsync(token);
            using var run = await s.Generator.StartAsync(model.Path, token);
            if (request.Messages is { } messages) request = request with { Prompts = [ChatPrompt.Render(run, messages)] };
            await PromptBudget.CheckAsync(run, request, limits, token);
            var stream = new CompletionStream(http, request, chat, token);
            if (!request.Stream) return OpenAiJson.Ok(await stream.RunOnceAsync(run));
            await stream.RunStreamingAsync(run);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away (nobody to answer), or the server is stopping: say so if nothing was sent yet.
            if (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted)
            {
                return OpenAiErrors.Result(StatusCodes.Status503ServiceUnavailable, "The server is shutting down; retry on the next start.", null, "server_shutting_down");
            }
        }
        return Results.Empty;
    }
}

/// <summary>One request's generations, written as one JSON answer or as server-sent chunks.</summary>
internal sealed class CompletionStream(HttpContext http, CompletionRequest request, bool chat, CancellationToken cancellation)
{
    private readonly string _id = (chat ? "chatcmpl-" : "cmpl-") + RandomNumberGenerator.GetHexString(24, lowercase: true);
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private string ObjectName => chat ? "chat.completion" : "text_completion";

    public async Task<ChatCompletion> RunOnceAsync(IGenerationRun run)
    {
        var choices = new List<object>();
        var usage = await ForEachChoiceAsync(run, _ => Task.CompletedTask, (index, result) =>
        {
            choices.Add(chat ? new ChatChoice(index, new AssistantMessage(result.Text), result.FinishReason) : new TextChoice(index, result.Text, result.FinishReason));
            return Task.CompletedTask;
        });
        return new ChatCompletion(_id, ObjectName, _created, request.Model, choices, usage);
    }

    public async Task RunStreamingAsync(IGenerationRun run)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(cancellation);
        try
        {
            var usage = await ForEachChoiceAsync(run,
                start => chat ? Send(Chunk(new ChatChunkChoice(start, new ChunkDelta("assistant", ""), null))) : Task.CompletedTask,
                (index, result) => Send(Chunk(chat ? new ChatChunkChoice(index, new ChunkDelta(null, null), result.FinishReason)
                    : new TextChoice(index, "", result.FinishReason))));
            if (request.IncludeUsage) await Send(new ChatCompletion(_id, ChunkObject, _created, request.Model, [], usage));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Headers are gone already: report the error in the stream, as OpenAI does, then end it.
            await Send(new OpenAiErrorBody(new OpenAiErrorDetail($"Generation failed: {e.Message}", "server_error", null, "generation_failed")));
        }
        await response.WriteAsync("data: [DONE]\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);
    }

    private string ChunkObject => chat ? "chat.completion.chunk" : "text_completion";

    private ChatCompletion Chunk(object choice) => new(_id, ChunkObject, _created, request.Model, [choice], null);

    /// <summary>Every prompt × n, in OpenAI's index order; a given seed makes choice i use seed + i, so choices differ.</summary>
    private async Task<Usage> ForEachChoiceAsync(IGenerationRun run, Func<int, Task> onStart, Func<int, TextResult, Task> onDone)
    {
        var index = 0;
        var usage = new Usage(0, 0);
        foreach (var prompt in request.Prompts)
        {
            for (var i = 0; i < request.N; i++, index++)
            {
                var choice = index;
                await onStart(choice);
                var seed = request.Seed is long s ? unchecked((ulong)(s + i)) : (ulong?)null;
                var text = new TextRequest(prompt, request.MaxTokens, request.Temperature, request.TopP, request.Stop, seed);
                var result = await run.GenerateAsync(text, piece => request.Stream ? Send(Chunk(chat
                    ? new ChatChunkChoice(choice, new ChunkDelta(null, piece), null) : new TextChoice(choice, piece, null))) : Task.CompletedTask,
                    cancellation);
                // The prompt is read once per prompt whatever n is, as OpenAI bills it.
                usage = new Usage(usage.PromptTokens + (i == 0 ? result.PromptTokens : 0), usage.CompletionTokens + result.CompletionTokens);
                await onDone(choice, result);
            }
        }
        return usage;
    }

    private async Task Send(object payload)
    {
        var json = JsonSerializer.Serialize(payload, OpenAiJson.Options);
        await http.Response.WriteAsync($"data: {json}\n\n", cancellation);
        await http.Response.Body.FlushAsync(cancellation);
    }

}
