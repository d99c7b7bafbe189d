namespace LocalFineTune.Datasets.Model;

/// <summary>
/// One training example, already parsed, with where it came from. Build it with the factories so that
/// exactly the fields of its <see cref="Kind"/> are set.
/// </summary>
public sealed record TrainingExample
{
    public required ExampleKind Kind { get; init; }
    public required SourceLocation Source { get; init; }

    /// <summary>Set for <see cref="ExampleKind.Text"/>.</summary>
    public string? Text { get; init; }

    /// <summary>Set for <see cref="ExampleKind.PromptCompletion"/>.</summary>
    public string? Prompt { get; init; }

    /// <summary>Set for <see cref="ExampleKind.PromptCompletion"/>.</summary>
    public string? Completion { get; init; }

    /// <summary>Set for <see cref="ExampleKind.Chat"/>.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    public static TrainingExample FromText(string text, SourceLocation source) =>
        new() { Kind = ExampleKind.Text, Source = source, Text = text };

    public static TrainingExample FromPromptCompletion(string prompt, string completion, SourceLocation source) =>
        new() { Kind = ExampleKind.PromptCompletion, Source = source, Prompt = prompt, Completion = completion };

    public static TrainingExample FromMessages(IReadOnlyList<ChatMessage> messages, SourceLocation source) =>
        new() { Kind = ExampleKind.Chat, Source = source, Messages = messages };

    /// <summary>
    /// The example's content as one string, used to count tokens and to spot duplicates.
    /// The trainer's rendering (chat template, separators, EOS) adds a few tokens on top of this,
    /// so token figures in the report are a close lower bound, not the exact trained length.
    /// </summary>
    public string ContentForCounting() => Kind switch
    {
        ExampleKind.Text => Text ?? "",
        ExampleKind.PromptCompletion => (Prompt ?? "") + (Completion ?? ""),
        _ => string.Join("\n", (Messages ?? []).Select(m => m.Content)),
    };
}
