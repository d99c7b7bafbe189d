using LocalFineTune.Datasets.Model;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>One text continuation as /v1 asks for it.</summary>
public sealed record TextRequest(string Prompt, int MaxTokens, double Temperature, double TopP,
    IReadOnlyList<string> Stop, ulong? Seed);

/// <summary>What one continuation produced: OpenAI's finish_reason is "stop" (EOS or a stop string) or "length".</summary>
public sealed record TextResult(string Text, int PromptTokens, int CompletionTokens, string FinishReason);

/// <summary>
/// Runs continuations of one model on a dedicated thread (libtorch scopes are per thread). <see cref="Start"/> returns
/// once the model is loaded, so a bad model still gets a proper error status before any response byte is written.
/// </summary>
public interface IChatGenerator
{
    Task<IGenerationRun> StartAsync(string modelPath, CancellationToken cancellation);
}

/// <summary>
/// One loaded model. Every call honours its token: a client that disconnects, in whatever phase (tokenizing,
/// generating, streaming), gets its call back at once, so its generation slot is released.
/// </summary>
public interface IGenerationRun : IDisposable
{
    /// <summary>
    /// The prompt for a chat conversation, up to the assistant's turn, in the loaded model's format. The default is the
    /// documented fallback format; real runs use the model folder's own chat template.
    /// </summary>
    string RenderChatPrompt(IReadOnlyList<ChatMessage> messages) => ChatTemplateRenderer.RenderGenerationPrompt(messages);

    /// <summary>Generates one continuation, handing each text piece to <paramref name="onPiece"/> as soon as it is safe to show.</summary>
    Task<TextResult> GenerateAsync(TextRequest request, Func<string, Task> onPiece, CancellationToken cancellation);

    /// <summary>The model's context length in tokens; null when unknown (then only the configured limits apply).</summary>
    int? ContextLength => null;

    /// <summary>Tokens of <paramref name="text"/> with the model's tokenizer; null when this run cannot count.</summary>
    Task<int?> CountTokensAsync(string text, CancellationToken cancellation) => Task.FromResult<int?>(null);
}
