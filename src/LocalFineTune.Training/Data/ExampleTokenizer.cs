using LocalFineTune.Datasets.Model;
using LocalFineTune.Tokenizers;
using LocalFineTune.Training.Chat;

namespace LocalFineTune.Training.Data;

/// <summary>
/// Turns examples into labelled token sequences. Chat examples use the model's own chat template when it has one
/// (<paramref name="chatTemplate"/>): the rendered conversation is tokenized whole, without added special tokens
/// (the template writes its BOS itself, as transformers' apply_chat_template assumes), and the loss covers the tokens
/// that overlap a trained assistant span. Without a template, and for prompt/completion pairs, segments are
/// encoded one by one so that the boundary between "no loss" and "loss" tokens is exact.
/// </summary>
public sealed class ExampleTokenizer(Tokenizer tokenizer, ModelChatTemplate? chatTemplate = null)
{
    private readonly int _eos = tokenizer.EosTokenId ?? throw new InvalidOperationException(
        "the tokenizer defines no EOS token; add eos_token to tokenizer_config.json (GPT-2: <|endoftext|>)");

    public int EosTokenId => _eos;

    /// <summary>BOS only for tokenizers whose BOS differs from EOS (Llama-style); GPT-2's BOS is its EOS and is not added.</summary>
    private int? Bos => tokenizer.BosTokenId is int bos && bos != _eos ? bos : null;

    /// <summary>Text examples as one trained token run each (content + EOS), ready for packing.</summary>
    public int[] TokenizeText(string text) => [.. tokenizer.Encode(text), _eos];

    public TokenizedSequence TokenizePromptCompletion(string prompt, string completion)
    {
        var builder = new SequenceBuilder(Bos);
        builder.Add(tokenizer.Encode(PromptCompletionFormat.PromptText(prompt, completion)), trained: false);
        builder.Add(tokenizer.Encode(completion), trained: true);
        builder.Add([_eos], trained: true);
        return builder.Build();
    }

    /// <summary>The chat template in use; null means the documented fallback format (<see cref="ChatTemplateRenderer"/>).</summary>
    public ModelChatTemplate? ChatTemplate => chatTemplate;

    public TokenizedSequence TokenizeChat(IReadOnlyList<ChatMessage> messages)
    {
        if (chatTemplate is not null) return TokenizeWithTemplate(chatTemplate, messages);
        var builder = new SequenceBuilder(Bos);
        foreach (var segment in ChatTemplateRenderer.Render(messages))
        {
            builder.Add(tokenizer.Encode(segment.Text), segment.Trained);
            if (segment.EosAfter) builder.Add([_eos], segment.Trained);
        }
        return builder.Build();
    }

    private TokenizedSequence TokenizeWithTemplate(ModelChatTemplate template, IReadOnlyList<ChatMessage> messages)
    {
        var rendering = template.RenderForTraining(messages);
        var encoding = tokenizer.EncodeWithOffsets(rendering.Text, addSpecialTokens: false);
        var labels = new int[encoding.Ids.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var (start, end) = encoding.Offsets[i];
            // A token that overlaps a span is trained, as transformers' assistant mask does (char_to_token of the
            // span's first and last characters): a token merging header text with the content's start stays in.
            var trained = rendering.TrainedSpans.Any(span => start < span.End && end > span.Start);
            labels[i] = trained ? encoding.Ids[i] : TokenizedSequence.IgnoreIndex;
        }
        return new TokenizedSequence(encoding.Ids, labels);
    }

    private sealed class SequenceBuilder
    {
        private readonly List<int> _ids = [];
        private readonly List<int> _labels = [];

        public SequenceBuilder(int? bos)
        {
            if (bos is int b) Add([b], trained: false);
        }

        public void Add(IReadOnlyList<int> ids, bool trained)
        {
            _ids.AddRange(ids);
            foreach (var id in ids) _labels.Add(trained ? id : TokenizedSequence.IgnoreIndex);
        }

        public TokenizedSequence Build() => new([.. _ids], [.. _labels]);
    }
}
