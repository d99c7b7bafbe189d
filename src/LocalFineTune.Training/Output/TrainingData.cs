using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Output;

/// <summary>
/// A job's data, read and validated for its method: supervised examples, or preference pairs for DPO (then
/// <see cref="Preferences"/> is set and the example lists are empty). Invalid data throws <see cref="DatasetInvalidException"/>.
/// </summary>
public sealed record TrainingData(
    IReadOnlyList<TrainingExample> Examples,
    IReadOnlyList<TrainingExample> ValidationExamples,
    PreferenceReadResult? Preferences,
    ValidationReport Report)
{
    public static TrainingData Read(FineTuneRequest request, TrainingOptions options, LoadedModel loaded)
    {
        var readOptions = ReadOptions(request, options, text => loaded.Tokenizer.CountTokens(text), options.MaxSeqLength ?? loaded.Model.ContextLength);
        if (options.Method == TrainingMethod.Dpo)
        {
            var pairs = PreferenceReader.Read(request.Data, readOptions);
            if (!pairs.Report.IsValid) throw new DatasetInvalidException(pairs.Report);
            return new TrainingData([], [], pairs, pairs.Report);
        }
        var read = DatasetReader.Read(request.Data, readOptions);
        if (!read.Report.IsValid) throw new DatasetInvalidException(read.Report);
        return new TrainingData(read.Examples, read.ValidationExamples, null, read.Report);
    }

    /// <summary>The report alone, as `lft validate` and the service's validating_files step need it.</summary>
    public static ValidationReport Validate(string data, TrainingOptions options, DatasetReadOptions readOptions) =>
        options.Method == TrainingMethod.Dpo ? PreferenceReader.Read(data, readOptions).Report : DatasetReader.Read(data, readOptions).Report;

    private static DatasetReadOptions ReadOptions(FineTuneRequest request, TrainingOptions options, Func<string, int> countTokens, int maxSeq) => new()
    {
        CsvDelimiter = request.CsvDelimiter,
        ValidationSplit = request.ValidationFile is null ? request.ValidationSplit : 0,
        ValidationFile = request.ValidationFile,
        Seed = options.Seed,
        Validation = new ValidationOptions
        {
            MinExamples = request.MinExamples,
            CountTokens = countTokens,
            MaxSeqLength = maxSeq,
            EpochsForExampleCount = count => AutoEpochs.Resolve(options.Epochs, count),
        },
    };
}
