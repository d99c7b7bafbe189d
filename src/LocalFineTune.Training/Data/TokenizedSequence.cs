namespace LocalFineTune.Training.Data;

/// <summary>
/// One training row before padding. <see cref="Labels"/> has the length of <see cref="InputIds"/>, HF style:
/// label t is the token at t, the loss shifts by one (position t predicts label t+1), and
/// <see cref="IgnoreIndex"/> marks positions that add no loss (prompt, user turns, padding).
/// </summary>
public sealed record TokenizedSequence(int[] InputIds, int[] Labels)
{
    public const int IgnoreIndex = -100;

    public int Length => InputIds.Length;

    /// <summary>Positions the loss is computed on, after the one-token shift (label 0 is never predicted).</summary>
    public int TargetCount
    {
        get
        {
            var count = 0;
            for (var t = 1; t < Labels.Length; t++) if (Labels[t] != IgnoreIndex) count++;
            return count;
        }
    }

    public TokenizedSequence Truncate(int maxLength) =>
        Length <= maxLength ? this : new TokenizedSequence(InputIds[..maxLength], Labels[..maxLength]);
}
