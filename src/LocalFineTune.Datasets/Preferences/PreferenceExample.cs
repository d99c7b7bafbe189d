using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Preferences;

/// <summary>
/// One preference pair: a prompt and two assistant answers, the one people preferred (<see cref="Chosen"/>) and the
/// one they did not (<see cref="Rejected"/>). The prompt is either a conversation (OpenAI's input.messages, TRL's
/// conversational format), which the trainer renders with the model's chat template, or plain text (TRL's standard
/// format, CSV), which it uses as is, like a supervised prompt/completion pair.
/// </summary>
public sealed record PreferenceExample
{
    public required SourceLocation Source { get; init; }

    /// <summary>Set for a conversational prompt: the turns before the answer (system, user, earlier assistant turns).</summary>
    public IReadOnlyList<ChatMessage>? PromptMessages { get; init; }

    /// <summary>Set for a plain-text prompt.</summary>
    public string? PromptText { get; init; }

    /// <summary>The preferred assistant answer.</summary>
    public required string Chosen { get; init; }

    /// <summary>The answer that was not preferred.</summary>
    public required string Rejected { get; init; }

    public bool IsConversational => PromptMessages is not null;

    public static PreferenceExample FromMessages(IReadOnlyList<ChatMessage> prompt, string chosen, string rejected, SourceLocation source) =>
        new() { Source = source, PromptMessages = prompt, Chosen = chosen, Rejected = rejected };

    public static PreferenceExample FromText(string prompt, string chosen, string rejected, SourceLocation source) =>
        new() { Source = source, PromptText = prompt, Chosen = chosen, Rejected = rejected };

    /// <summary>The prompt's content as one string, to count its tokens (the template adds a few on top).</summary>
    public string PromptForCounting() =>
        PromptText ?? string.Join("\n", (PromptMessages ?? []).Select(m => m.Content));
}
