using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>
/// The parsed examples and the validation report. Examples that could not be parsed are absent; those
/// that parsed but fail a content check are present, and the report is invalid: callers must check
/// <see cref="ValidationReport.IsValid"/> before training.
/// </summary>
public sealed record DatasetReadResult(
    IReadOnlyList<TrainingExample> Examples,
    IReadOnlyList<TrainingExample> ValidationExamples,
    ValidationReport Report);
