namespace LocalFineTune.Datasets.Validation;

/// <summary>What the content checks and the report's counts need to know.</summary>
public sealed record ValidationOptions
{
    /// <summary>Fewest training examples accepted. OpenAI's minimum is 10.</summary>
    public int MinExamples { get; init; } = 10;

    /// <summary>Errors (and, separately, warnings) listed in full; the rest are only counted, so a
    /// file with a systematic mistake gives a readable report rather than thousands of lines.</summary>
    public int MaxIssuesShown { get; init; } = 50;

    /// <summary>Counts the tokens of a string with the model's tokenizer. Without it the report has no token figures.</summary>
    public Func<string, int>? CountTokens { get; init; }

    /// <summary>The context length examples are truncated to; needs <see cref="CountTokens"/>.</summary>
    public int? MaxSeqLength { get; init; }

    /// <summary>Longest example accepted, in characters of its line (JSONL) or record (CSV), default 100,000. A longer
    /// one is an error naming its line, and is neither parsed further nor tokenized: one hostile line must not make
    /// validation slow. Null: no bound.</summary>
    public int? MaxExampleCharacters { get; init; } = 100_000;

    /// <summary>Where the user changes <see cref="MaxExampleCharacters"/> (e.g. a configuration key), named in the
    /// error so it says how to fix it; null: the error names only the value.</summary>
    public string? MaxExampleCharactersSetting { get; init; }

    /// <summary>Checked before each line or record is read and before each example is checked or tokenized (and passed
    /// on by callers to a cancellable token counter): a cancelled job stops validating within one line.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Epochs the caller resolved (OpenAI's "auto" must be resolved before); used for total training tokens.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>When set, the epochs for a training set of N examples (the trainer's "auto" rule, which depends on N):
    /// the report then counts the tokens the job will really train on. Overrides <see cref="Epochs"/>.</summary>
    public Func<int, int>? EpochsForExampleCount { get; init; }

    internal int EpochsFor(int exampleCount) => EpochsForExampleCount?.Invoke(exampleCount) ?? Epochs;
}
