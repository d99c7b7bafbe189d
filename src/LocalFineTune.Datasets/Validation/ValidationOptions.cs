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

    /// <summary>Epochs the caller resolved (OpenAI's "auto" must be resolved before); used for total training tokens.</summary>
    public int Epochs { get; init; } = 3;
}
