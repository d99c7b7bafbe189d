namespace LocalFineTune.Tokenizers;

/// <summary>Thrown when one Encode call is given more text than Tokenizer.MaxInputLength allows.</summary>
public sealed class TokenizerInputTooLongException(int length, int limit) : ArgumentException(
    $"The text to tokenize is {length:N0} characters long; one call accepts at most {limit:N0} (Tokenizer.MaxInputLength). " +
    "Split the text into smaller documents, or raise Tokenizer.MaxInputLength if such inputs are expected.", "text")
{
    public int Length { get; } = length;
    public int Limit { get; } = limit;
}

/// <summary>Limits and cancellation: no single input can hold a thread for long.</summary>
public sealed partial class Tokenizer
{
    /// <summary>10 million chars: far beyond any context window, and about a few seconds of work.</summary>
    public const int DefaultMaxInputLength = 10_000_000;

    private int _maxInputLength = DefaultMaxInputLength;

    /// <summary>
    /// The longest text (in UTF-16 chars) one Encode, EncodeWithOffsets or CountTokens call accepts;
    /// longer text throws <see cref="TokenizerInputTooLongException"/>. Shared by every thread using
    /// this instance.
    /// </summary>
    public int MaxInputLength
    {
        get => Volatile.Read(ref _maxInputLength);
        set => Volatile.Write(ref _maxInputLength, value > 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxInputLength must be positive (int.MaxValue for no limit)."));
    }

    /// <summary>Token ids for text; throws OperationCanceledException soon after cancellationToken is cancelled, even inside one long word.</summary>
    public int[] Encode(string text, CancellationToken cancellationToken) => Encode(text, false, cancellationToken);

    /// <inheritdoc cref="Encode(string, CancellationToken)"/>
    public int[] Encode(string text, bool addSpecialTokens, CancellationToken cancellationToken)
    {
        var ids = new List<int>(InitialCapacity(text));
        EncodeInto(text, addSpecialTokens, ids, null, cancellationToken);
        return ids.ToArray();
    }

    public Encoding EncodeWithOffsets(string text, bool addSpecialTokens, CancellationToken cancellationToken)
    {
        var ids = new List<int>();
        var offsets = new List<(int, int)>();
        EncodeInto(text, addSpecialTokens, ids, offsets, cancellationToken);
        return new Encoding(ids.ToArray(), offsets.ToArray());
    }

    public int CountTokens(string text, CancellationToken cancellationToken) => CountTokens(text, false, cancellationToken);

    public int CountTokens(string text, bool addSpecialTokens, CancellationToken cancellationToken)
    {
        var ids = new List<int>(InitialCapacity(text));
        EncodeInto(text, addSpecialTokens, ids, null, cancellationToken);
        return ids.Count;
    }

    private static int InitialCapacity(string? text) => (text?.Length ?? 0) / 3 + 4;

    private void CheckLength(string text)
    {
        var limit = MaxInputLength;
        if (text.Length > limit) throw new TokenizerInputTooLongException(text.Length, limit);
    }

    /// <summary>Words held by the BPE caches now (for tests and benchmarks).</summary>
    internal int CachedWordCount => _model.CachedWords;

    /// <summary>Chars plus ids held by the BPE caches now.</summary>
    internal long CachedWordUnits => _model.CachedUnits;
}
