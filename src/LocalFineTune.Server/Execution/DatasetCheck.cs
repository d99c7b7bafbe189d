using System.Text.Json;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Tokenizers;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// One dataset check, bounded as the service bounds every check: the caller's token (a cancel, or a closed request)
/// stops it within one line or example, Validation:TimeoutSeconds caps it, Validation:MaxExampleCharacters caps one
/// example. Shared by a job's validating_files step and POST /api/finetune/validate, so both report the same.
/// </summary>
public static class DatasetCheck
{
    public static ValidationReport Run(TrainingJobSpec spec, string dataset, DatasetValidationSettings settings, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var trainingOptions = spec.TrainingOptions;
        try
        {
            return TrainingData.Validate(dataset, trainingOptions, new DatasetReadOptions
            {
                ValidationSplit = spec.ValidationDatasetPath is null ? 0.1 : 0,
                ValidationFile = spec.ValidationDatasetPath,
                Seed = trainingOptions.Seed,
                Validation = OptionsFor(spec.ModelPath, trainingOptions, settings, timeout.Token),
            });
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new DatasetCheckTimeoutException(settings.TimeoutSeconds, e);
        }
    }

    private static ValidationOptions OptionsFor(string modelPath, TrainingOptions trainingOptions,
        DatasetValidationSettings settings, CancellationToken cancellation)
    {
        var tokenizer = Tokenizer.FromFolder(modelPath);
        return new ValidationOptions
        {
            CancellationToken = cancellation,
            // The tokenizer checks the token inside one long example too, not only between examples.
            CountTokens = text => tokenizer.CountTokens(text, cancellation),
            MaxExampleCharacters = settings.MaxExampleCharacters > 0 ? settings.MaxExampleCharacters : null,
            MaxExampleCharactersSetting = $"{DatasetValidationSettings.Section}:MaxExampleCharacters",
            MaxSeqLength = trainingOptions.MaxSeqLength ?? ContextLength(modelPath),
            EpochsForExampleCount = count => AutoEpochs.Resolve(trainingOptions.Epochs, count),
        };
    }

    private static int? ContextLength(string modelDir)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelDir, "config.json")));
        foreach (var key in new[] { "n_positions", "max_position_embeddings", "n_ctx" })
        {
            if (config.RootElement.TryGetProperty(key, out var value) && value.TryGetInt32(out var length)) return length;
        }
        return null;
    }
}

/// <summary>The check ran past Validation:TimeoutSeconds; each caller says what that means for it (a failed job, a 422).</summary>
public sealed class DatasetCheckTimeoutException(double seconds, Exception inner)
    : Exception($"Validating the dataset took longer than {seconds:0.###} s ({DatasetValidationSettings.Section}:TimeoutSeconds)", inner);
