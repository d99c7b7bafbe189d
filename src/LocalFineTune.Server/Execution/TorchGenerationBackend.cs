using System.Diagnostics;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server.Problems;
using LocalFineTune.Torch;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// POST /api/generate on the CPU through the Models layer's <see cref="TextGenerator"/> (KV cache, temperature,
/// top-k, top-p). The model is loaded per request: a try-a-model endpoint, not a serving path.
/// </summary>
public sealed class TorchGenerationBackend : IGenerationBackend
{
    public GenerateResult Generate(GenerateRequestParsed request, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using var loaded = HfModelFolder.Load(request.ModelPath, Device.Cpu);
        loaded.Model.Training = false;
        var options = new GenerationOptions
        {
            MaxNewTokens = request.MaxNewTokens,
            Temperature = request.Temperature,
            TopK = request.TopK ?? 0,
            TopP = request.TopP,
            Seed = request.Seed is int seed ? (ulong)seed : null,
        }.Validate();
        CheckContext(request, loaded.Tokenizer.CountTokens(request.Prompt, cancellation), loaded.Model.ContextLength);
        var result = new TextGenerator(loaded.Model, loaded.Tokenizer).Generate(request.Prompt, options, cancellationToken: cancellation);
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
