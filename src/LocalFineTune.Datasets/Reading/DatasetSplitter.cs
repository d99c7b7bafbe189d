using LocalFineTune.Datasets.Model;

namespace LocalFineTune.Datasets.Reading;

/// <summary>
/// Holds out a deterministic fraction of examples for validation. Uses its own SplitMix64 generator
/// rather than System.Random so that a seed picks the same examples on every .NET version.
/// Both parts keep the file order; the trainer shuffles on its own.
/// </summary>
public static class DatasetSplitter
{
    /// <summary>round(count × fraction) examples, at least 1 when fraction &gt; 0 and there are 2 or more examples.</summary>
    public static (List<T> Training, List<T> Validation) Split<T>(IReadOnlyList<T> examples, double fraction, int seed)
    {
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the validation fraction must be in [0, 1)");
        var heldOut = HeldOutCount(examples.Count, fraction);
        var chosen = PickIndices(examples.Count, heldOut, seed);
        var training = new List<T>(examples.Count - heldOut);
        var validation = new List<T>(heldOut);
        for (var i = 0; i < examples.Count; i++) (chosen.Contains(i) ? validation : training).Add(examples[i]);
        return (training, validation);
    }

    internal static int HeldOutCount(int count, double fraction)
    {
        if (fraction <= 0 || count < 2) return 0;
        return Math.Clamp((int)Math.Round(count * fraction, MidpointRounding.AwayFromZero), 1, count - 1);
    }

    /// <summary>A partial Fisher-Yates shuffle: the first <paramref name="take"/> slots are a uniform sample.</summary>
    private static HashSet<int> PickIndices(int count, int take, int seed)
    {
        var indices = Enumerable.Range(0, count).ToArray();
        var state = (ulong)(uint)seed;
        for (var i = 0; i < take; i++)
        {
            var j = i + (int)(NextRandom(ref state) % (ulong)(count - i));
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        return indices.Take(take).ToHashSet();
    }

    private static ulong NextRandom(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
