using System.Diagnostics;
using LocalFineTune.Models.Generation;
using LocalFineTune.Server.Inference;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// POST /api/generate on the CPU through the Models layer's <see cref="TextGenerator"/> (KV cache, temperature,
/// top-k, top-p), on the model cache the /v1 endpoints share: a model is read from disk only when it is not cached.
/// </summary>
public sealed class TorchGenerationBackend(ModelCache cache) : IGenerationBackend
{
    public GenerateResult Generate(GenerateRequestParsed request, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using var served = cache.Acquire(request.ModelPath, cancellation);
        var options = new GenerationOptions
        {
            MaxNewTokens = request.MaxNewTokens,
            Temperature = request.Temperature,
            TopK = request.TopK ?? 0,
            TopP = request.TopP,
            Seed = request.Seed is int seed ? (ulong)seed : null,
        }.Validate();
        CheckContext(request, served.Tokenizer.CountTokens(request.Prompt, cancellation), served.ContextLength);
        var result = served.Run((model, tokenizer) => new TextGenerator(model, tokenizer).Generate(request.Prompt, options, cancellationToken: cancellation),
            cancellation);
        return new GenerateResult(result.Text, result.PromptTokens, result.Ids.Count, result.FinishReason, clock.Elapsed.TotalSeconds);
    }

    private static void CheckContext(GenerateRequestParsed request, int promptTokens, int context)
    {
        if (promptTokens >= context)
            throw new ApiProblemException("prompt", "context_length_exceeded",
                $"The prompt is {promptTokens} tokens; this model's context is {context} tokens and must also hold the answer. Shorten the prompt.");
        if (request.MaxNewTokensGiven && promptTokens + (long)request.MaxNewTokens > context)
            throw new ApiProblemException("max_new_tokens", "context_length_exceeded",
                $"{promptTokens} prompt tokens + max_new_tokens {request.MaxNewTokens} exceed this model's context of {context} tokens; ask for at most {context - promptTokens}.");
    }
}
