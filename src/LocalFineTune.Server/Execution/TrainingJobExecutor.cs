using System.Text.Json;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Hub;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Jobs;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// The service's <see cref="IJobExecutor"/>: Validate downloads (for URLs) and checks the dataset while the job is
/// validating_files; Execute trains through <see cref="FineTuneJob"/>, which checkpoints into a hidden work folder and
/// publishes models/&lt;base&gt;-finetuned-&lt;stamp&gt;/ in one rename. A rerun (crash, restart) resumes from the job's
/// newest complete checkpoint. Both run on the worker's dedicated job thread.
/// </summary>
public sealed class TrainingJobExecutor(IOptions<ServerOptions> options, DatasetDownloader downloader, JobLifecycleLog? lifecycle = null,
    BaseDownloads? bases = null, PromotionGate? promotion = null) : IJobExecutor
{
    private const int MaxErrorsInMessage = 10;

    private ServerOptions Options => options.Value;

    public void Validate(JobExecution context)
    {
        var spec = TrainingJobSpec.FromJson(context.Job.SpecJson);
        if (spec.PullBase is { } pull && !Directory.Exists(spec.ModelPath)) PullBase(context, pull);
        var dataset = spec.DatasetPath ?? Download(context, spec);
        var report = ValidateWithinTimeout(context, spec, dataset);
        if (!report.IsValid)
        {
            throw InvalidData(report);
        }
        context.Log($"Dataset valid: {report.ExampleCount} training and {report.ValidationExampleCount} validation examples" +
            (report.TokensPerEpoch is { } tokens ? $", {tokens} tokens per epoch." : "."),
            dataJson: report.ToJson(indented: false));
    }

    /// <summary>Reads and checks the dataset under the job's token (a cancel stops it within one line or example) and
    /// the configured timeout, which fails the job rather than holding a validator for as long as the data takes.</summary>
    private ValidationReport ValidateWithinTimeout(JobExecution context, TrainingJobSpec spec, string dataset)
    {
        try
        {
            return DatasetCheck.Run(spec, dataset, Options.Validation, context.CancellationToken);
        }
        catch (DatasetCheckTimeoutException e)
        {
            throw new JobValidationException("validation_timeout",
                $"{e.Message}, so the job was stopped. Split the dataset into smaller files, or raise the timeout, and start a new job.", "dataset_url");
        }
    }

    public void Execute(JobExecution context)
    {
        var spec = TrainingJobSpec.FromJson(context.Job.SpecJson);
        var resumeFrom = FindResumeCheckpoint(context);
        var progress = new JobProgressReporter(context, lifecycle);
        context.Log(resumeFrom is null ? $"Training {spec.Model} on {spec.DatasetUrl}." : $"Resuming from {Path.GetFileName(resumeFrom)}.");
        lifecycle?.Started(context.JobId, context.Attempt, spec.Model, spec.DatasetUrl, resumeFrom, spec.Options.GetRawText());
        FineTuneOutcome outcome;
        try
        {
            outcome = FineTuneJob.Run(new FineTuneRequest
            {
                Model = spec.ModelPath,
                Data = spec.DatasetPath ?? DownloadedDataset(context.JobId),
                ValidationFile = spec.ValidationDatasetPath,
                Options = spec.TrainingOptions,
                ModelsRoot = Options.ModelsRoot,
                ResumeFrom = resumeFrom,
            }, progress, context.CancellationToken);
        }
        catch (Exception e) when (context.StopReason == JobStopReason.CancelRequested)
        {
            DiscardWorkFolder(context);
            throw new OperationCanceledException("cancelled by user", e);
        }
        catch (Exception e) when (ToPermanent(e) is { } permanent)
        {
            throw permanent;
        }
        var promoted = promotion?.Apply(context, spec, outcome);
        context.SetResult(ResultJson(spec, outcome, progress, promoted));
    }

    private static string ResultJson(TrainingJobSpec spec, FineTuneOutcome outcome, JobProgressReporter progress, PromotionDecision? promoted)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, outcome.OutputDirectory);
        return JsonSerializer.Serialize(new
        {
            model_path = (relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(outcome.OutputDirectory) : relative) + "/",
            model_name = outcome.Name,
            base_model = spec.BaseModelName,
            eval_loss_before = outcome.Result.Before.Loss,
            eval_loss_after = outcome.Result.After.Loss,
            trained_tokens = outcome.Result.State.TokensSeen,
            total_steps = outcome.Result.Resolved.TotalSteps,
            epochs = outcome.Result.Resolved.Epochs,
            batch_size = outcome.Result.Resolved.BatchSize,
            train_seconds = outcome.Result.State.ElapsedSeconds,
            promoted = promoted?.Promoted,
            promotion = promoted?.Reason,
        });
    }

    /// <summary>The newest checkpoint the store recorded, if its folder is still complete; else the newest complete one beside it.</summary>
    private static string? FindResumeCheckpoint(JobExecution context)
    {
        var latest = context.LatestCheckpoint;
        if (latest is null) return null;
        if (TrainingCheckpoints.IsComplete(latest.Path)) return latest.Path;
        var folder = Path.GetDirectoryName(latest.Path);
        return folder is null ? null : TrainingCheckpoints.FindLatestComplete(folder);
    }

    /// <summary>A cancelled job is final: its checkpoints can never be resumed, so remove its hidden work folder.</summary>
    private static void DiscardWorkFolder(JobExecution context)
    {
        foreach (var checkpoint in context.ListCheckpoints())
        {
            var work = Path.GetDirectoryName(Path.GetDirectoryName(checkpoint.Path));
            if (work is not null && Path.GetFileName(work).EndsWith(".partial", StringComparison.Ordinal) && Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Bad data, an unknown model or invalid options fail the job at once; retrying would fail the same way.</summary>
    private static JobValidationException? ToPermanent(Exception e) => e switch
    {
        JobValidationException v => v,
        DatasetInvalidException invalid => InvalidData(invalid.Report),
        TrainingOptionsException options => new JobValidationException("invalid_hyperparameters", options.Message, options.Errors.FirstOrDefault()?.Field),
        DirectoryNotFoundException missing => new JobValidationException("model_not_found", missing.Message, "model"),
        _ => null,
    };

    private string Download(JobExecution context, TrainingJobSpec spec)
    {
        var url = DatasetUrls.ParseAllowed(spec.DatasetUrl, Options.Downloads, downloader.Policy);
        var folder = DownloadFolder(context.JobId);
        Directory.CreateDirectory(folder);
        context.Log($"Downloading {url.GetLeftPart(UriPartial.Path)}.");
        try
        {
            var path = downloader.DownloadAsync(url, Path.Combine(folder, "dataset"), context.CancellationToken).GetAwaiter().GetResult();
            context.Log($"Downloaded {new FileInfo(path).Length} bytes.");
            return path;
        }
        catch (DownloadRefusedException refused)
        {
            throw new JobValidationException("dataset_download_failed", refused.Message, "dataset_url");
        }
    }

    /// <summary>The "downloading" step of Models:AutoDownload: the weights arrive before the dataset is checked.</summary>
    private void PullBase(JobExecution context, string name)
    {
        if (bases is null) throw new InvalidOperationException("this executor has no BaseDownloads; register it to use Models:AutoDownload");
        context.Log($"Downloading base model {name} from the Hugging Face hub (step: downloading).");
        var reporter = new PullProgressReporter(context);
        try
        {
            bases.EnsureDownloaded(name, reporter, context.CancellationToken);
        }
        catch (HubException e)
        {
            throw new JobValidationException("model_download_failed", $"Downloading base model {name} failed: {e.Message}", "model");
        }
        context.Log($"Downloaded base model {name}{reporter.Summary}.");
    }

    private string DownloadFolder(string jobId) => Path.Combine(Options.StateFolder, "downloads", jobId);

    private string DownloadedDataset(string jobId)
    {
        var folder = DownloadFolder(jobId);
        var file = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "dataset.*").FirstOrDefault(f => !f.EndsWith(".part")) : null;
        return file ?? throw new JobValidationException("dataset_missing",
            $"The downloaded dataset of job {jobId} is gone from {folder}; start a new job with the same dataset_url.", "dataset_url");
    }

    private static JobValidationException InvalidData(ValidationReport report)
    {
        var located = report.Errors.Take(MaxErrorsInMessage).Select(e => e.ToString());
        var more = report.ErrorCount > MaxErrorsInMessage ? $" (and {report.ErrorCount - MaxErrorsInMessage} more)" : "";
        var message = $"The dataset is invalid ({report.ErrorCount} error(s)){more}: {string.Join("; ", located)}. Fix the file and start a new job.";
        return new JobValidationException(report.Errors.FirstOrDefault()?.Code ?? "invalid_dataset", message, "dataset_url");
    }
}
