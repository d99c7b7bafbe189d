using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Training.Data;

/// <summary>What tokenizing a dataset produced, with the counts a report needs.</summary>
public sealed record TokenizedDataset(IReadOnlyList<TokenizedSequence> Sequences, int TruncatedCount, int DroppedCount)
{
    public long TargetTokenCount => Sequences.Sum(s => (long)s.TargetCount);
}

/// <summary>
/// Examples → training sequences of at most maxSeqLength tokens. Plain text is packed: all text examples are joined
/// (each followed by EOS) and cut into full windows, so no compute is spent on padding and the model sees documents
/// run into one another as in pretraining. Prompt/completion and chat examples stay one sequence each (their
/// labels must stay aligned with their own prompt) and are truncated at maxSeqLength, keeping the beginning.
/// </summary>
public static class SequenceBuilder
{
    public static TokenizedDataset Build(IReadOnlyList<TrainingExample> examples, ExampleTokenizer tokenizer, int maxSeqLength)
    {
        if (maxSeqLength < 2) throw new ArgumentOutOfRangeException(nameof(maxSeqLength), "max_seq_length must be at least 2");
        var sequences = new List<TokenizedSequence>();
        var packedText = new List<int>();
        int truncated = 0, dropped = 0;
        foreach (var example in examples)
        {
            if (example.Kind == ExampleKind.Text)
            {
                packedText.AddRange(tokenizer.TokenizeText(example.Text ?? ""));
                continue;
            }
            var sequence = example.Kind == ExampleKind.PromptCompletion
                ? tokenizer.TokenizePromptCompletion(example.Prompt ?? "", example.Completion ?? "")
                : TokenizeChat(tokenizer, example);
            if (sequence.Length > maxSeqLength) truncated++;
            sequence = sequence.Truncate(maxSeqLength);
            // A prompt that fills the whole window leaves nothing to learn from: skip it rather than train on nothing.
            if (sequence.TargetCount == 0) { dropped++; continue; }
            sequences.Add(sequence);
        }
        sequences.AddRange(Pack(packedText, maxSeqLength));
        return new TokenizedDataset(sequences, truncated, dropped);
    }

    private static TokenizedSequence TokenizeChat(ExampleTokenizer tokenizer, TrainingExample example)
    {
        try
        {
            return tokenizer.TokenizeChat(example.Messages ?? []);
        }
        catch (Templating.TemplateException e)
        {
            throw new InvalidDataException($"{example.Source}: the model's chat template ({tokenizer.ChatTemplate?.Origin}) cannot render this conversation: {e.Message}", e);
        }
    }

    /// <summary>Cuts a token stream into windows of windowLength; a last shorter window is kept if it has a target.</summary>
    public static IEnumerable<TokenizedSequence> Pack(IReadOnlyList<int> stream, int windowLength)
    {
        for (var start = 0; start < stream.Count; start += windowLength)
        {
            var length = Math.Min(windowLength, stream.Count - start);
            if (length < 2) yield break;
            var ids = new int[length];
            for (var i = 0; i < length; i++) ids[i] = stream[start + i];
            yield return new TokenizedSequence(ids, (int[])ids.Clone());
        }
    }
}
