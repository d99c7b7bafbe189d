using LocalFineTune.Torch;
using LocalFineTune.Training.Chat;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Loop;

/// <summary>Training and evaluation sequences, tokenized once, with the batch size and sequence length in force.</summary>
internal sealed record PreparedData(
    IReadOnlyList<TokenizedSequence> Training,
    IReadOnlyList<TokenizedSequence> Evaluation,
    string EvaluationName,
    int BatchSize,
    int MaxSeqLength,
    int TruncatedExamples,
    int DroppedExamples)
{
    public static PreparedData Prepare(TrainingRun run, TrainingOptions options)
    {
        var contextLength = run.Model.ContextLength;
        if (options.MaxSeqLength > contextLength)
            throw new TrainingOptionsException([new OptionError("max_seq_length",
                $"{options.MaxSeqLength} exceeds the model's context length {contextLength}; use at most {contextLength}")]);
        var maxSeqLength = options.MaxSeqLength ?? contextLength;
        var tokenizer = new ExampleTokenizer(run.Tokenizer, ChatTemplateLocator.ForTokenizer(run.Tokenizer));
        var training = SequenceBuilder.Build(run.TrainingExamples, tokenizer, maxSeqLength);
        if (training.Sequences.Count == 0)
            throw new InvalidOperationException("the training data has no token to learn from (every example was empty or its prompt filled max_seq_length)");
        var held = run.EvaluationExamples.Count > 0 ? SequenceBuilder.Build(run.EvaluationExamples, tokenizer, maxSeqLength) : null;
        var (evaluation, name) = held is { Sequences.Count: > 0 }
            ? (held.Sequences, "validation")
            : (training.Sequences, "training (no validation split)");
        var batchSize = options.BatchSize.Value
            ?? BatchSizeEstimator.Find(run.Model, training.Sequences.Count, maxSeqLength, options.GradientAccumulationSteps, run.Progress);
        return new PreparedData(training.Sequences, evaluation, name, batchSize, maxSeqLength, training.TruncatedCount, training.DroppedCount);
    }

    public ResolvedHyperparameters Resolve(int epochs, EpochPlan plan, LearningRateSchedule schedule, Device device) =>
        new(epochs, BatchSize, MaxSeqLength, plan.StepsPerEpoch, schedule.TotalSteps, schedule.WarmupSteps,
            Training.Count, Evaluation.Count, TruncatedExamples, DroppedExamples, device.ToString());
}
