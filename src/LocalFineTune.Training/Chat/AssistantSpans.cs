using LocalFineTune.Datasets.Model;
using LocalFineTune.Templating;

namespace LocalFineTune.Training.Chat;

/// <summary>
/// Where each trained assistant turn lies in a rendered conversation. With {% generation %} blocks the template says
/// it (transformers' return_assistant_tokens_mask). Without them, each turn is found by rendering prefixes of the
/// conversation, as TRL does: the turn starts where "messages before it + generation prompt" ends, and covers the
/// message's content and the end-of-turn special token that follows it (or, when the template rewrites the content,
/// what rendering the message added, without trailing whitespace).
/// </summary>
internal static class AssistantSpans
{
    public static ChatRendering Find(ModelChatTemplate template, IReadOnlyList<ChatMessage> messages)
    {
        var full = template.Render(messages, addGenerationPrompt: false);
        if (template.HasGenerationBlocks) return FromGenerationBlocks(full, messages);
        var spans = new List<(int, int)>();
        for (var i = 0; i < messages.Count; i++)
        {
            if (!messages[i].IsTrained) continue;
            var span = FromPrefixes(template, messages, i, full.Text);
            if (span.End > span.Start) spans.Add(span);
        }
        return new ChatRendering(full.Text, spans);
    }

    /// <summary>Generation blocks in render order are the assistant turns in order; untrained turns (weight 0) are dropped.</summary>
    private static ChatRendering FromGenerationBlocks(RenderResult full, IReadOnlyList<ChatMessage> messages)
    {
        var assistants = messages.Where(m => m.Role == ChatRole.Assistant).ToList();
        if (full.GenerationSpans.Count != assistants.Count)
            throw new TemplateException($"the chat template marked {full.GenerationSpans.Count} {{% generation %}} blocks for {assistants.Count} assistant messages; " +
                "each assistant message needs exactly one block");
        var spans = full.GenerationSpans.Where((_, i) => assistants[i].IsTrained).ToList();
        return new ChatRendering(full.Text, spans);
    }

    private static (int Start, int End) FromPrefixes(ModelChatTemplate template, IReadOnlyList<ChatMessage> messages, int index, string full)
    {
        var before = template.Render(messages.Take(index).ToList(), addGenerationPrompt: true).Text;
        if (!full.StartsWith(before, StringComparison.Ordinal)) throw NotPrefixStable(template, index, "the prompt before it");
        var start = before.Length;
        while (start < full.Length && char.IsWhiteSpace(full[start])) start++;
        var byContent = EndByContent(template, full, start, messages[index].Content);
        if (byContent > start) return (start, byContent);
        // Content the template rewrites (or empty content): the turn is what rendering this message added.
        var through = template.Render(messages.Take(index + 1).ToList(), addGenerationPrompt: false).Text;
        if (!through.StartsWith(before, StringComparison.Ordinal) || through.Length < start)
            throw NotPrefixStable(template, index, "its generation prompt");
        var turn = through[start..].TrimEnd();
        if (string.CompareOrdinal(full, start, turn, 0, turn.Length) != 0) throw NotPrefixStable(template, index, "the messages after it");
        return (start, start + turn.Length);
    }

    /// <summary>
    /// The end of the message's content where it first appears after the turn start, plus the end-of-turn special
    /// token right after it (&lt;|im_end|&gt;, &lt;|eot_id|&gt;, &lt;/s&gt;, …): the model must learn to stop, not to
    /// write the next turn's header. -1 when the content is empty or the template rewrote it.
    /// </summary>
    private static int EndByContent(ModelChatTemplate template, string full, int start, string content)
    {
        var trimmed = content.Trim();
        if (trimmed.Length == 0) return -1;
        var at = full.IndexOf(trimmed, start, StringComparison.Ordinal);
        if (at < 0) return -1;
        var end = at + trimmed.Length;
        var closing = template.SpecialTokens.Where(t => string.CompareOrdinal(full, end, t, 0, t.Length) == 0).MaxBy(t => t.Length);
        return closing is null ? end : end + closing.Length;
    }

    private static TemplateException NotPrefixStable(ModelChatTemplate template, int index, string what) =>
        new($"the chat template in {template.Origin} renders assistant message {index + 1} differently depending on {what}, " +
            "so its tokens cannot be located for the loss; add {% generation %}…{% endgeneration %} around assistant content in the template");
}
