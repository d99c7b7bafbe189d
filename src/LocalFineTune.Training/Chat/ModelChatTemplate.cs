using LocalFineTune.Datasets.Model;
using LocalFineTune.Templating;

namespace LocalFineTune.Training.Chat;

/// <summary>A conversation rendered for training: the text, and the character spans the loss covers.</summary>
public sealed record ChatRendering(string Text, IReadOnlyList<(int Start, int End)> TrainedSpans);

/// <summary>
/// A model's own chat template, rendered as transformers' apply_chat_template does (messages, add_generation_prompt
/// and the tokenizer's special tokens as variables). The rendered text already holds whatever BOS the template writes,
/// so it is tokenized without adding special tokens (add_special_tokens=False, as transformers does).
/// </summary>
public sealed class ModelChatTemplate(JinjaTemplate template, string origin, IReadOnlyDictionary<string, object?> specialTokens,
    IReadOnlyList<string> specialTokenTexts)
{
    /// <summary>The tokenizer's special tokens' texts; one right after an assistant's content closes its turn.</summary>
    public IReadOnlyList<string> SpecialTokens { get; } = specialTokenTexts;

    /// <summary>Where the template came from, for messages.</summary>
    public string Origin { get; } = origin;

    public bool HasGenerationBlocks => template.HasGenerationBlocks;

    /// <summary>The prompt a generator continues: the conversation and the template's assistant header.</summary>
    public string RenderGenerationPrompt(IReadOnlyList<ChatMessage> messages) => Render(messages, addGenerationPrompt: true).Text;

    /// <summary>The full conversation as training text, with the spans of the trained assistant turns.</summary>
    /// <exception cref="TemplateException">the template refused the conversation or failed; the message says why</exception>
    public ChatRendering RenderForTraining(IReadOnlyList<ChatMessage> messages) => AssistantSpans.Find(this, messages);

    internal RenderResult Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var variables = new Dictionary<string, object?>(specialTokens)
        {
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?>
            {
                ["role"] = m.Role.ToWireName(),
                ["content"] = m.Content,
            }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        return template.RenderWithSpans(variables);
    }
}
