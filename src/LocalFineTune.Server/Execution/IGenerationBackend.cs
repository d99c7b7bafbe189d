namespace LocalFineTune.Server.Execution;

public sealed record GenerateRequestParsed(string Model, string ModelPath, string Prompt, int MaxNewTokens, double Temperature, double TopP, int? TopK, int? Seed)
{
    /// <summary>True when the client chose max_new_tokens: then prompt + max_new_tokens must fit the model's context.</summary>
    public bool MaxNewTokensGiven { get; init; }
}

public sealed record GenerateResult(string Text, int PromptTokens, int CompletionTokens, string FinishReason, double Seconds);

/// <summary>Runs text generation on a model folder. Synchronous: called on one thread, libtorch state is per thread.</summary>
public interface IGenerationBackend
{
    GenerateResult Generate(GenerateRequestParsed request, CancellationToken cancellation);
}
