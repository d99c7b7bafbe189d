using LocalFineTune.Tokenizers.Pipeline;

namespace LocalFineTune.Tokenizers.PreTokenizers;

/// <summary>What happens to the delimiters a pattern matches (HF SplitDelimiterBehavior).</summary>
internal enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

internal static class SplitBehaviors
{
    public static SplitBehavior Parse(string? name) => name switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw new NotSupportedException($"Unsupported Split behavior '{name}'. Supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous."),
    };

    /// <summary>Cuts piece at the matches and applies the behavior, mirroring HF's NormalizedString::split.</summary>
    public static void Apply(Piece piece, List<(int Start, int Length)> matches, SplitBehavior behavior, bool invert, List<Piece> output)
    {
        if (matches.Count == 0 && !invert)
        {
            if (piece.Length > 0) output.Add(piece);
            return;
        }
        var segments = Segments(piece.Length, matches, invert);
        foreach (var (start, end, _) in Combine(segments, behavior))
            if (end > start) output.Add(piece.Slice(start, end - start));
    }

    private static List<(int Start, int End, bool IsMatch)> Segments(int length, List<(int Start, int Length)> matches, bool invert)
    {
        var segments = new List<(int, int, bool)>(matches.Count * 2 + 1);
        var previous = 0;
        foreach (var (start, matchLength) in matches)
        {
            if (start > previous) segments.Add((previous, start, invert));
            segments.Add((start, start + matchLength, !invert));
            previous = start + matchLength;
        }
        if (previous < length) segments.Add((previous, length, invert));
        return segments;
    }

    private static IEnumerable<(int Start, int End, bool IsMatch)> Combine(List<(int Start, int End, bool IsMatch)> segments, SplitBehavior behavior)
    {
        switch (behavior)
        {
            case SplitBehavior.Isolated: return segments;
            case SplitBehavior.Removed: return segments.Where(s => !s.IsMatch);
            case SplitBehavior.MergedWithPrevious: return MergeIntoNeighbour(segments, mergeMatches: true, contiguous: false);
            case SplitBehavior.Contiguous: return MergeIntoNeighbour(segments, mergeMatches: false, contiguous: true);
            default:
                // MergedWithNext is MergedWithPrevious read right to left.
                var reversed = segments.Select(s => (-s.End, -s.Start, s.IsMatch)).Reverse().ToList();
                var merged = MergeIntoNeighbour(reversed, mergeMatches: true, contiguous: false);
                return merged.Select(s => (-s.End, -s.Start, s.IsMatch)).Reverse().ToList();
        }
    }

    /// <summary>
    /// MergedWithPrevious: a match joins the segment before it unless that one was a match too.
    /// Contiguous: consecutive segments of the same kind (match / non-match) are fused.
    /// </summary>
    private static List<(int Start, int End, bool IsMatch)> MergeIntoNeighbour(List<(int Start, int End, bool IsMatch)> segments, bool mergeMatches, bool contiguous)
    {
        var result = new List<(int Start, int End, bool IsMatch)>(segments.Count);
        var previousWasMatch = false;
        foreach (var segment in segments)
        {
            var merge = contiguous ? segment.IsMatch == previousWasMatch : mergeMatches && segment.IsMatch && !previousWasMatch;
            if (merge && result.Count > 0)
                result[^1] = (result[^1].Start, segment.End, false);
            else
                result.Add((segment.Start, segment.End, false));
            previousWasMatch = segment.IsMatch;
        }
        return result;
    }
}
