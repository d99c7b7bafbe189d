using LocalFineTune.Datasets.Model;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Chat;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Comparison;

/// <summary>A held-out example as a prompt to answer, with the answer the data gives.</summary>
public sealed record HeldOutPrompt(string Prompt, string? Expected, TrainingExample Example);

/// <summary>
/// The prompts every compared model answers: the first held-out examples, each cut where the model should take over
/// (before the last assistant turn, at the completion, or after the first words of plain text), and rendered for each
/// model the way its training rendered them (its own chat template), then answered greedily so reruns agree.
/// </summary>
public static class HeldOutSamples
{
    public const int MaxNewTokens = 48;
    private const int TextPromptWords = 8;

    public static IReadOnlyList<HeldOutPrompt> Pick(IReadOnlyList<TrainingExample> heldOut, int count) =>
        heldOut.Select(ToPrompt).OfType<HeldOutPrompt>().Take(Math.Max(0, count)).ToList();

    /// <summary>The model's greedy continuation of <paramref name="prompt"/>.</summary>
    public static string Answer(LoadedModel model, HeldOutPrompt prompt, CancellationToken cancellation = default)
    {
        var text = RenderFor(model, prompt.Example);
        var options = new GenerationOptions { MaxNewTokens = MaxNewTokens, Seed = 0 };
        return new TextGenerator(model.Model, model.Tokenizer).Generate(text, options, cancellationToken: cancellation).Text.Trim();
    }

    /// <summary>Every prompt answered by every fine-tune in <paramref name="models"/> (name → folder), one model loaded at a time.</summary>
    public static IReadOnlyList<SampleAnswers> AnswerAll(IReadOnlyList<HeldOutPrompt> prompts, IEnumerable<(string Model, string Folder)> models,
        Device device, CancellationToken cancellation = default)
    {
        var answers = prompts.Select(_ => new Dictionary<string, string>()).ToList();
        foreach (var (model, folder) in models)
        {
            using var loaded = HfModelFolder.Load(folder, device);
            for (var i = 0; i < prompts.Count; i++) answers[i][model] = Answer(loaded, prompts[i], cancellation);
        }
        return prompts.Select((p, i) => new SampleAnswers(p.Prompt, p.Expected, answers[i])).ToList();
    }

    private static HeldOutPrompt? ToPrompt(TrainingExample example) => example.Kind switch
    {
        ExampleKind.PromptCompletion => new HeldOutPrompt(example.Prompt!, example.Completion, example),
        ExampleKind.Chat when LastAssistant(example.Messages!) is { } last and > 0 =>
            new HeldOutPrompt(example.Messages![last - 1].Content, example.Messages[last].Content, example),
        ExampleKind.Text when Words(example.Text!) is { Length: > TextPromptWords } words =>
            new HeldOutPrompt(string.Join(' ', words[..TextPromptWords]), string.Join(' ', words[TextPromptWords..]), example),
        _ => null,
    };

    private static string RenderFor(LoadedModel model, TrainingExample example)
    {
        switch (example.Kind)
        {
            case ExampleKind.PromptCompletion:
                return PromptCompletionFormat.PromptText(example.Prompt!, example.Completion!);
            case ExampleKind.Chat:
                var history = example.Messages!.Take(LastAssistant(example.Messages!)!.Value).ToList();
                return ChatTemplateLocator.Find(model.Directory, model.Tokenizer)?.RenderGenerationPrompt(history)
                    ?? ChatTemplateRenderer.RenderGenerationPrompt(history);
            default:
                return string.Join(' ', Words(example.Text!)[..TextPromptWords]);
        }
    }

    private static int? LastAssistant(IReadOnlyList<ChatMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
            if (messages[i].Role == ChatRole.Assistant) return i;
        return null;
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
