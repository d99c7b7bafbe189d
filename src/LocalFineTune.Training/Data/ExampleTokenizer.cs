using LocalFineTune.Datasets.Model;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Training.Data;

/// <summary>
/// Turns examples into labelled token sequences. Segments are encoded one by one so that the boundary between
/// "no loss" and "loss" tokens is exact (encoding the joined text could merge tokens across it).
/// </summary>
public sealed class ExampleTokenizer(Tokenizer tokenizer)
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

    public TokenizedSequence TokenizeChat(IReadOnlyList<ChatMessage> messages)
    {
        var builder = new SequenceBuilder(Bos);
        foreach (var segment in ChatTemplateRenderer.Render(messages))
        {
            builder.Add(tokenizer.Encode(segment.Text), segment.Trained);
            if (segment.EosAfter) builder.Add([_eos], segment.Trained);
        }
        return builder.Build();
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
