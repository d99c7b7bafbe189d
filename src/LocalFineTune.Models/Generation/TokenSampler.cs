using LocalFineTune.Models.Internal;

namespace LocalFineTune.Models.Generation;

/// <summary>
/// Picks the next token from one position's logits, in transformers' processor order: repetition penalty,
/// then (when sampling) temperature, top-k, top-p. Runs in managed code on a copy of the logits with its own
/// seeded generator, so sampling never touches libtorch's process-wide RNG.
/// </summary>
public sealed class TokenSampler
{
    private readonly GenerationOptions _options;
    private readonly SeededRandom _random;

    public TokenSampler(GenerationOptions options)
    {
        _options = options.Validate();
        _random = new SeededRandom(options.Seed ?? (ulong)Random.Shared.NextInt64());
    }

    public int Next(ReadOnlySpan<float> logits, IEnumerable<int> context)
    {
        var scores = new double[logits.Length];
        for (var i = 0; i < scores.Length; i++) scores[i] = logits[i];
        ApplyRepetitionPenalty(scores, context, _options.RepetitionPenalty);
        if (_options.IsGreedy) return ArgMax(scores);
        for (var i = 0; i < scores.Length; i++) scores[i] /= _options.Temperature;
        if (_options.TopK > 0) KeepTopK(scores, _options.TopK);
        if (_options.TopP < 1) KeepTopP(scores, _options.TopP);
        return Sample(Softmax(scores));
    }

    /// <summary>Seen tokens: positive scores divided by the penalty, negative ones multiplied (both lower them).</summary>
    public static void ApplyRepetitionPenalty(double[] scores, IEnumerable<int> context, double penalty)
    {
        if (penalty == 1) return;
        foreach (var id in context.Distinct())
            if ((uint)id < (uint)scores.Length) scores[id] = scores[id] < 0 ? scores[id] * penalty : scores[id] / penalty;
    }

    /// <summary>Scores below the k-th largest become −∞ (ties with it stay, as in transformers).</summary>
    public static void KeepTopK(double[] scores, int k)
    {
        if (k >= scores.Length) return;
        var sorted = (double[])scores.Clone();
        Array.Sort(sorted);
        var threshold = sorted[^k];
        for (var i = 0; i < scores.Length; i++)
            if (scores[i] < threshold) scores[i] = double.NegativeInfinity;
    }

    /// <summary>
    /// transformers' TopPLogitsWarper: sort ascending, drop tokens whose cumulative probability is ≤ 1 − top_p,
    /// always keeping the most likely one.
    /// </summary>
    public static void KeepTopP(double[] scores, double topP)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var probabilities = Softmax(scores);
        double cumulative = 0;
        for (var rank = 0; rank < order.Length - 1; rank++)
        {
            cumulative += probabilities[order[rank]];
            if (cumulative <= 1 - topP) scores[order[rank]] = double.NegativeInfinity;
        }
    }

    public static double[] Softmax(double[] scores)
    {
        var max = scores.Max();
        var exp = scores.Select(s => double.IsNegativeInfinity(s) ? 0 : Math.Exp(s - max)).ToArray();
        var total = exp.Sum();
        for (var i = 0; i < exp.Length; i++) exp[i] /= total;
        return exp;
    }

    private int Sample(double[] probabilities)
    {
        var u = _random.NextDouble();
        double cumulative = 0;
        var last = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] == 0) continue;
            cumulative += probabilities[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last; // rounding left u just above the total
    }

    private static int ArgMax(double[] scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best]) best = i;
        return best;
    }
}
