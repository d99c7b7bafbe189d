using System.Text.Json;

namespace LocalFineTune.Jobs.Ado;

/// <summary>Checks a new job before anything is written (the same rules and messages for both stores).</summary>
public abstract partial class AdoJobStore
{
    private static void ValidateNewJob(NewJob job)
    {
        try
        {
            using var _ = JsonDocument.Parse(job.SpecJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"SpecJson is not valid JSON ({e.Message}). Serialize the request with System.Text.Json.", nameof(job), e);
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Device, nameof(job.Device));
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Source, nameof(job.Source));
        if (!JobStateMachine.IsInitial(job.InitialState))
        {
            throw new ArgumentException($"A job starts as validating_files or queued, not {job.InitialState.ToWireName()}.", nameof(job));
        }
        if (job.MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(job), job.MaxAttempts, "MaxAttempts must be between 1 and 100.");
        }
        if (job.Id is not null && !JobIds.LooksLikeJobId(job.Id))
        {
            throw new ArgumentException($"Job id '{job.Id}' must look like 'ftjob-' + letters/digits; leave Id null to generate one.", nameof(job));
        }
        ValidateMetadata(job.Metadata);
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        if (metadata.Count > MaxMetadataPairs)
        {
            throw new ArgumentException($"metadata has {metadata.Count} pairs; at most {MaxMetadataPairs} are allowed.", nameof(metadata));
        }
        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrEmpty(key) || key.Length > MaxMetadataKeyLength)
            {
                throw new ArgumentException($"metadata key '{key}' must be 1 to {MaxMetadataKeyLength} characters.", nameof(metadata));
            }
            if (value is null || value.Length > MaxMetadataValueLength)
            {
                throw new ArgumentException($"metadata['{key}'] must be a string of at most {MaxMetadataValueLength} characters.", nameof(metadata));
            }
        }
    }
}
