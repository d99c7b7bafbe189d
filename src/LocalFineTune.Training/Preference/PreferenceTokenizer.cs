using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// A preference pair as two label-masked sequences sharing the prompt. <see cref="Index"/> numbers the pair within the
/// run (training pairs first, then held-out ones), so precomputed reference log-probabilities can be looked up.
/// </summary>
public sealed record TokenizedPair(TokenizedSequence Chosen, TokenizedSequence Rejected, int Index, SourceLocation Source)
{
    public bool Truncated { get; init; }
}

/// <summary>
/// Tokenizes preference pairs exactly as supervised data is tokenized, so DPO after supervised tuning sees the same
/// text: a conversational prompt plus the answer as the final assistant turn, through the model's chat template or
/// the documented fallback (<see cref="ChatTemplateRenderer"/>); a plain-text prompt as a prompt/completion pair.
/// The answer's tokens and its end of turn (EOS, or the template's closing token) are scored; prompt tokens, earlier
/// assistant turns included, never are.
/// </summary>
public sealed class PreferenceTokenizer(ExampleTokenizer tokenizer)
{
    public TokenizedPair Tokenize(PreferenceExample example, int index, int maxSeqLength)
    {
        var chosen = KeepAnswer(Answer(example, example.Chosen), maxSeqLength, example.Source, out var chosenCut);
        var rejected = KeepAnswer(Answer(example, example.Rejected), maxSeqLength, example.Source, out var rejectedCut);
        return new TokenizedPair(chosen, rejected, index, example.Source) { Truncated = chosenCut || rejectedCut };
    }

    private TokenizedSequence Answer(PreferenceExample example, string answer)
    {
        if (!example.IsConversational) return tokenizer.TokenizePromptCompletion(example.PromptText ?? "", answer);
        // Earlier assistant turns belong to the prompt: weight 0 keeps them out of the scored tokens.
        var messages = example.PromptMessages!.Select(m => m.Role == ChatRole.Assistant ? m with { Weight = 0 } : m)
            .Append(new ChatMessage(ChatRole.Assistant, answer)).ToList();
        try
        {
            return tokenizer.TokenizeChat(messages);
        }
        catch (Templating.TemplateException e)
        {
            throw new InvalidDataException($"{example.Source}: the model's chat template ({tokenizer.ChatTemplate?.Origin}) cannot render this conversation: {e.Message}", e);
        }
    }

    /// <summary>
    /// Cuts the sequence to at most <paramref name="maxSeqLength"/> tokens keeping the answer: unscored tokens after it
    /// (a template's trailing newline) go first, then the prompt's beginning, and only an answer longer than the whole
    /// window loses its end. At least one prompt token stays, since the first answer token is predicted from it.
    /// </summary>
    public static TokenizedSequence KeepAnswer(TokenizedSequence sequence, int maxSeqLength, SourceLocation source, out bool truncated)
    {
        var labels = sequence.Labels;
        var first = Array.FindIndex(labels, l => l != TokenizedSequence.IgnoreIndex);
        var last = Array.FindLastIndex(labels, l => l != TokenizedSequence.IgnoreIndex);
        if (first < 0) throw new InvalidDataException($"{source}: the answer tokenized to nothing; give a non-empty answer");
        var ids = sequence.InputIds;
        if (first == 0)
        {
            throw new InvalidDataException($"{source}: the prompt tokenized to nothing, so the answer's first token cannot be scored; give a non-empty prompt");
        }
        var length = last + 1;
        truncated = length > maxSeqLength;
        var keepAnswer = Math.Min(length - first, maxSeqLength - 1);
        var keepPrompt = Math.Min(first, maxSeqLength - keepAnswer);
        var start = first - keepPrompt;
        var count = keepPrompt + keepAnswer;
        return new TokenizedSequence(ids.AsSpan(start, count).ToArray(), labels.AsSpan(start, count).ToArray());
    }
}
