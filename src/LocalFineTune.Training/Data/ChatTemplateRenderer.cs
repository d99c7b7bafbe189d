using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Training.Data;

/// <summary>
/// The default chat template, used for every base (our tokenizer does not run Jinja chat templates):
/// <code>
/// &lt;|system|&gt;\n{system}\n&lt;|user|&gt;\n{user}\n&lt;|assistant|&gt;\n{assistant}&lt;eos&gt;\n&lt;|user|&gt;\n…
/// </code>
/// Role markers are plain text (several BPE tokens in GPT-2's vocabulary, no new embeddings needed). The loss
/// covers each trained assistant message's content and its EOS, nothing else. Generation must render the same
/// way up to "&lt;|assistant|&gt;\n" (<see cref="RenderGenerationPrompt"/>) and stop at EOS. See docs in README.md.
/// </summary>
public static class ChatTemplateRenderer
{
    /// <summary>One piece of a rendered conversation: text, whether the loss covers it, and whether EOS follows it.</summary>
    public readonly record struct Segment(string Text, bool Trained, bool EosAfter);

    public static string RoleMarker(ChatRole role) => $"<|{role.ToWireName()}|>\n";

    public static IReadOnlyList<Segment> Render(IReadOnlyList<ChatMessage> messages)
    {
        var segments = new List<Segment>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var isLast = i == messages.Count - 1;
            segments.Add(new Segment(RoleMarker(message.Role), Trained: false, EosAfter: false));
            if (message.Role == ChatRole.Assistant)
            {
                // EOS closes every assistant turn, so the model learns where an answer stops.
                segments.Add(new Segment(message.Content, message.IsTrained, EosAfter: true));
                if (!isLast) segments.Add(new Segment("\n", Trained: false, EosAfter: false));
            }
            else
            {
                segments.Add(new Segment(message.Content + "\n", Trained: false, EosAfter: false));
            }
        }
        return segments;
    }

    /// <summary>The text a generator feeds for a conversation whose next turn is the assistant's.</summary>
    public static string RenderGenerationPrompt(IReadOnlyList<ChatMessage> messages)
    {
        var text = new System.Text.StringBuilder();
        foreach (var m in messages)
            text.Append(RoleMarker(m.Role)).Append(m.Content).Append(m.Role == ChatRole.Assistant ? "<|endoftext|>\n" : "\n");
        return text.Append(RoleMarker(ChatRole.Assistant)).ToString();
    }
}

/// <summary>
/// How a prompt/completion pair becomes one sequence: prompt, then a newline when neither side brings whitespace
/// at the join (so "Frigo fait bruit fort" + "Cause probable…" do not fuse into one word), then the completion and EOS.
/// </summary>
public static class PromptCompletionFormat
{
    public const string Separator = "\n";

    public static string PromptText(string prompt, string completion) =>
        NeedsSeparator(prompt, completion) ? prompt + Separator : prompt;

    private static bool NeedsSeparator(string prompt, string completion) =>
        prompt.Length > 0 && completion.Length > 0 && !char.IsWhiteSpace(prompt[^1]) && !char.IsWhiteSpace(completion[0]);
}
