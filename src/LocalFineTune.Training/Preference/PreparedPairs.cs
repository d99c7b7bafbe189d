using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Training.Chat;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Preference;

/// <summary>Training and held-out pairs, tokenized once, with the batch size (pairs per micro-batch) and length in force.</summary>
internal sealed record PreparedPairs(
    IReadOnlyList<TokenizedPair> Training,
    IReadOnlyList<TokenizedPair> Evaluation,
    string EvaluationName,
    int BatchSize,
    int MaxSeqLength,
    int TruncatedPairs)
{
    public static PreparedPairs Prepare(DpoRun run, TrainingOptions options)
    {
        var contextLength = run.Model.ContextLength;
        if (options.MaxSeqLength > contextLength)
            throw new TrainingOptionsException([new OptionError("max_seq_length",
                $"{options.MaxSeqLength} exceeds the model's context length {contextLength}; use at most {contextLength}")]);
        var maxSeqLength = options.MaxSeqLength ?? contextLength;
        var tokenizer = new PreferenceTokenizer(new ExampleTokenizer(run.Tokenizer, ChatTemplateLocator.ForTokenizer(run.Tokenizer)));
        if (run.TrainingExamples.Count == 0) throw new InvalidOperationException("no preference pairs to train on");
        var training = run.TrainingExamples.Select((e, i) => tokenizer.Tokenize(e, i, maxSeqLength)).ToList();
        var held = run.EvaluationExamples.Select((e, i) => tokenizer.Tokenize(e, training.Count + i, maxSeqLength)).ToList();
        var (evaluation, name) = held.Count > 0 ? (held, "validation") : (training, "training (no validation split)");
        // Each pair is two rows (chosen and rejected), so "auto" halves the sequence batch that fits.
        var batchSize = options.BatchSize.Value
            ?? Math.Max(1, BatchSizeEstimator.Find(run.Model, training.Count * 2, maxSeqLength, options.GradientAccumulationSteps, run.Progress) / 2);
        return new PreparedPairs(training, evaluation, name, batchSize, maxSeqLength, training.Count(p => p.Truncated));
    }

    public IEnumerable<TokenizedPair> All => Evaluation == Training ? Training : Training.Concat(Evaluation);
}
