namespace LocalFineTune.Training.Options;

/// <summary>
/// OpenAI's n_epochs "auto": 3 by default, raised so that small datasets are seen at least 100 times in all
/// (at most 25 epochs), lowered so that huge datasets are not trained on more than 25,000 examples' worth.
/// </summary>
public static class AutoEpochs
{
    public const int Default = 3;
    public const int MinTargetExamples = 100;
    public const int MaxTargetExamples = 25_000;
    public const int MaxAutoEpochs = 25;

    public static int Resolve(AutoInt epochs, int exampleCount)
    {
        if (epochs.Value is int explicitEpochs) return explicitEpochs;
        if (exampleCount <= 0) return Default;
        if (Default * exampleCount < MinTargetExamples)
            return Math.Min(MaxAutoEpochs, (MinTargetExamples + exampleCount - 1) / exampleCount);
        if (Default * exampleCount > MaxTargetExamples)
            return Math.Max(1, MaxTargetExamples / exampleCount);
        return Default;
    }
}
