using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Validation;

/// <summary>Token statistics of the training examples, when a tokenizer is available.</summary>
internal sealed record TokenCounts(TokenStatistics Statistics, int? TruncatedCount, long TokensPerEpoch)
{
    public static TokenCounts? Measure(IReadOnlyList<TrainingExample> examples, ValidationOptions options, IssueCollector issues)
    {
        if (options.CountTokens is not { } count || examples.Count == 0) return null;
        int min = int.MaxValue, max = 0, truncated = 0;
        long sum = 0, trained = 0;
        TrainingExample? longest = null;
        foreach (var example in examples)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            var tokens = count(example.ContentForCounting());
            if (tokens > max) (max, longest) = (tokens, example);
            min = Math.Min(min, tokens);
            sum += tokens;
            var tooLong = options.MaxSeqLength is int limit && tokens > limit;
            if (tooLong) truncated++;
            trained += tooLong ? options.MaxSeqLength!.Value : tokens;
        }
        if (truncated > 0) WarnAboutTruncation(truncated, max, longest!, options.MaxSeqLength!.Value, issues);
        var statistics = new TokenStatistics(min, (double)sum / examples.Count, max);
        return new TokenCounts(statistics, options.MaxSeqLength is null ? null : truncated, trained);
    }

    private static void WarnAboutTruncation(int truncated, int max, TrainingExample longest, int limit, IssueCollector issues) =>
        issues.Add(DataIssue.Warning(IssueCodes.ExamplesTruncated,
            $"{truncated} example(s) are longer than {limit} tokens and will be truncated (the longest, here, has {max}); " +
            "raise max_seq_length if the model allows it, or shorten or split them", longest.Source));
}
