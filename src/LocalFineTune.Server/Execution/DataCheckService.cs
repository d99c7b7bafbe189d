using System.Text.Json;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Server.OpenAi.Files;
using LocalFineTune.Server.Problems;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>POST /api/finetune/validate's answer: invalid data is still a 200, with valid false and the located errors.</summary>
public sealed record DataCheckResult(bool Valid, JsonElement Report, TrainingEstimate? Estimate);

/// <summary>
/// Checks a start request's dataset now, as the job's validating_files step would, and estimates the job's time: the
/// dashboard's "Check data". The body is a POST /api/finetune/start body, with training_file (and validation_file)
/// naming uploads from POST /v1/files allowed in place of dataset_url.
/// </summary>
public sealed class DataCheckService(StartRequestParser parser, FileStore files, TrainingTimeEstimator estimator, IOptions<ServerOptions> options)
{
    /// <summary>Validation:Concurrency is the job queue's worker count, not a limiter shared with requests, so checks made
    /// through this endpoint get their own slots of the same size: clicking "Check data" in many tabs cannot take every core.</summary>
    private readonly SemaphoreSlim _slots = new(options.Value.Validation.Concurrency);

    public async Task<DataCheckResult> CheckAsync(JsonElement body, CancellationToken cancellation)
    {
        var (spec, datasetParam) = Parse(body);
        var report = await ValidateAsync(spec, datasetParam, cancellation);
        var json = JsonDocument.Parse(report.ToJson(indented: false)).RootElement.Clone();
        return new DataCheckResult(report.IsValid, json, report.IsValid ? estimator.Estimate(spec, report) : null);
    }

    private (TrainingJobSpec Spec, string DatasetParam) Parse(JsonElement body)
    {
        var hasUrl = body.TryGetProperty("dataset_url", out _);
        var hasUpload = body.TryGetProperty("training_file", out _);
        if (hasUrl && hasUpload)
        {
            throw new ApiProblemException("training_file", "conflicting_parameters",
                "Send either dataset_url (a path under the data root) or training_file (an id from POST /v1/files), not both.");
        }
        if (hasUpload) return (ParseUploaded(body), "training_file");
        // An http(s) dataset is refused rather than downloaded here: a synchronous check would hold the request for up
        // to Downloads:TimeoutSeconds and fetch up to Downloads:MaxBytes per click, into a folder that belongs to no job.
        // The dashboard uploads or names data-root paths; a job started with the URL still validates it in the background.
        if (body.TryGetProperty("dataset_url", out var url) && url.ValueKind == JsonValueKind.String && DatasetUrls.LooksLikeUrl(url.GetString()!.Trim()))
        {
            throw new ApiProblemException("dataset_url", "dataset_url_not_supported",
                "POST /api/finetune/validate checks local data only: upload the file with POST /v1/files and send its id as training_file, " +
                "or put it under the data root and send its relative path as dataset_url. A job started with this URL validates it after downloading.");
        }
        return (parser.Parse(body), "dataset_url");
    }

    private TrainingJobSpec ParseUploaded(JsonElement body)
    {
        var trainingId = UploadId(body, "training_file")!;
        var validationId = UploadId(body, "validation_file");
        return parser.ParseUploaded(body, trainingId, UploadPath(trainingId, "training_file"),
            validationId is null ? null : UploadPath(validationId, "validation_file"));
    }

    private static string? UploadId(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString()!.Trim()
            : throw new ApiProblemException(name, "invalid_type", $"'{name}' must be a file id string from POST /v1/files, e.g. \"file-abc123\".");
    }

    private string UploadPath(string id, string param) => files.FindContent(id)
        ?? throw new ApiProblemException(param, "invalid_file_id",
            $"No uploaded file '{ClientText.Echo(id)}' for '{param}'. Upload it with POST /v1/files (purpose=fine-tune) and send the returned id.");

    private async Task<ValidationReport> ValidateAsync(TrainingJobSpec spec, string datasetParam, CancellationToken cancellation)
    {
        await _slots.WaitAsync(cancellation);
        try
        {
            return DatasetCheck.Run(spec, spec.DatasetPath!, options.Value.Validation, cancellation);
        }
        catch (DatasetCheckTimeoutException e)
        {
            throw new ApiProblemException(datasetParam, "validation_timeout",
                $"{e.Message}. Split the dataset into smaller files, or raise the timeout.", StatusCodes.Status422UnprocessableEntity);
        }
        finally
        {
            _slots.Release();
        }
    }
}
