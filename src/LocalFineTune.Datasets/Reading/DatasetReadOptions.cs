using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>How to read a dataset path (a .csv, a .jsonl, or a folder of them) and how to check it.</summary>
public sealed record DatasetReadOptions
{
    /// <summary>CSV delimiter. Null = detect from the header line (the most frequent of ',', ';', tab
    /// outside quotes; ',' when none appears).</summary>
    public char? CsvDelimiter { get; init; }

    /// <summary>Fraction of examples held out for validation, in [0, 1). 0 = no split.
    /// Ignored for the choice of examples when <see cref="ValidationFile"/> is given (giving both is an error).</summary>
    public double ValidationSplit { get; init; }

    /// <summary>A separate validation dataset (file or folder), read with the same rules.</summary>
    public string? ValidationFile { get; init; }

    /// <summary>Seed of the validation split: the same seed and data always hold out the same examples.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Content checks and report counts.</summary>
    public ValidationOptions Validation { get; init; } = new();
}
