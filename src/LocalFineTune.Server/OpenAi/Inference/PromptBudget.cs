using LocalFineTune.Server.OpenAi.Common;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>
/// The token side of a request's limits, checked with the model's own tokenizer once it is loaded and before any
/// response byte is sent (so a stream can still answer 400): all prompts together within MaxPromptTokens, each
/// prompt shorter than the context, and an explicit max_tokens that fits beside its prompt.
/// </summary>
public static class PromptBudget
{
    public static async Task CheckAsync(IGenerationRun run, CompletionRequest request, OpenAiOptions limits, CancellationToken cancellation)
    {
        long total = 0;
        foreach (var prompt in request.Prompts)
        {
            if (await run.CountTokensAsync(prompt, cancellation) is not int tokens) return;
            total += tokens;
            if (total > limits.MaxPromptTokens)
                throw CompletionRequest.TooMany(request.PromptParam, total, limits.MaxPromptTokens, "MaxPromptTokens", "prompt tokens or more");
            if (run.ContextLength is int context) CheckContext(request, tokens, context);
        }
    }

    private static void CheckContext(CompletionRequest request, int tokens, int context)
    {
        if (tokens >= context)
        {
            throw OpenAiException.BadRequest($"Invalid '{request.PromptParam}': the prompt is {tokens} tokens; this model's context is {context} tokens " +
                "and must also hold the answer. Shorten the prompt (or the conversation).", request.PromptParam, "context_length_exceeded");
        }
        if (request.MaxTokensGiven && tokens + (long)request.MaxTokens > context)
        {
            throw OpenAiException.BadRequest($"Invalid '{request.MaxTokensParam}': {tokens} prompt tokens + {request.MaxTokens} requested tokens exceed " +
                $"this model's context of {context} tokens. Ask for at most {context - tokens}, or shorten the prompt.", request.MaxTokensParam, "context_length_exceeded");
        }
    }
}
