using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalFineTune.Jobs;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Server.OpenAi.Files;
using LocalFineTune.Server.OpenAi.Models;
using LocalFineTune.Training.Options;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// POST /v1/fine_tuning/jobs → a job in the shared store. Every check that needs no training happens here, so a bad
/// request answers 400 at once; dataset content (roles, example count) is checked by the worker in validating_files.
/// </summary>
public sealed partial class FineTuningJobFactory(IJobStore store, FileStore files, OpenAiModelResolver models,
    IOptions<ServerOptions> server, BaseDownloads bases)
{
    public const int MaxMetadataPairs = 16;
    public const int MaxMetadataKeyLength = 64;
    public const int MaxMetadataValueLength = 512;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SuffixPattern();

    public JobRecord Create(JsonElement body)
    {
        var modelName = JsonFields.RequiredString(body, "model", "Name a base model (GET /v1/models lists them), e.g. \"gpt2\", or an ft: model to continue training it.");
        var trainingFileId = JsonFields.RequiredString(body, "training_file", "Upload the data with POST /v1/files (purpose=fine-tune) and pass the returned file id.");
        var trainingPath = UploadedFile(trainingFileId, "training_file");
        var validationFileId = JsonFields.String(body, "validation_file");
        var validationPath = validationFileId is null ? null : UploadedFile(validationFileId, "validation_file");
        var suffix = Suffix(body);
        var seed = Seed(body);
        var metadata = Metadata(body);
        var hyper = HyperparameterRequest.Parse(body);
        var (model, source) = ResolveBase(modelName);
        RequireTrainable(model);
        var device = server.Value.Devices[0];
        var requested = hyper.IsDpo ? Defaults(model) with { Method = TrainingMethod.Dpo, Dpo = new DpoOptions { Beta = hyper.Beta ?? 0.1 } } : Defaults(model);
        var defaults = MethodExtension.Resolve(requested, body, model.Path, device);
        var baseRate = defaults.PeakLearningRate;
        var options = defaults with
        {
            Epochs = hyper.Epochs,
            BatchSize = hyper.BatchSize,
            LearningRate = baseRate * (hyper.LearningRateMultiplier ?? 1.0),
            Seed = seed,
            Device = device,
            // Checkpoints make "ft:…:ckpt-step-N" models and crash-resume possible; OpenAI keeps one at the end of
            // each of the last three epochs, so GET …/checkpoints is never empty for an ordinary job.
            SaveSteps = server.Value.DefaultSaveSteps,
            SaveLastEpochs = CheckpointKeeper.Kept,
        };
        var errors = TrainingOptionsValidator.Validate(options);
        if (errors.Count > 0) throw OpenAiException.BadRequest($"Invalid hyperparameters: {string.Join("; ", errors)}.", "hyperparameters", "invalid_hyperparameters");
        var spec = new TrainingJobSpec
        {
            Model = modelName,
            ModelPath = source.Folder,
            PullBase = source.PullName,
            BaseModelName = BaseFolderName(model),
            DatasetUrl = trainingFileId,
            DatasetPath = trainingPath,
            ValidationDatasetPath = validationPath,
            Options = JsonSerializer.SerializeToElement(options, TrainingOptions.JsonOptions),
        };
        var extra = new OpenAiJobSpec
        {
            TrainingFile = trainingFileId, ValidationFile = validationFileId, Suffix = suffix,
            BaseModel = model.BaseModel, Hyperparameters = hyper.AsSent, BaseLearningRate = baseRate,
        };
        return store.Create(new NewJob
        {
            SpecJson = OpenAiJobSpec.Combine(spec, extra),
            Device = options.Device,
            Source = OpenAiJobSpec.Source,
            Metadata = metadata,
            MaxAttempts = server.Value.MaxAttempts,
            InitialState = JobState.ValidatingFiles,
        });
    }

    /// <summary>
    /// The model to train and where it comes from. With Models:AutoDownload a catalog base that is not on disk yet
    /// resolves to its pull's staging folder (config and tokenizer already fetched) for every check made now.
    /// </summary>
    private (ResolvedModel Model, BaseSource Source) ResolveBase(string name)
    {
        try
        {
            var model = models.Resolve(name);
            return (model, new BaseSource(model.Path, model.Path, null));
        }
        catch (OpenAiException e) when (e.Code == "model_not_downloaded" && server.Value.Models.AutoDownload)
        {
            BaseSource source;
            try
            {
                source = bases.ResolveForTraining(name);
            }
            catch (Problems.ApiProblemException problem)
            {
                throw OpenAiException.BadRequest(problem.Message, "model", problem.Code);
            }
            return (new ResolvedModel(name, source.ConfigFolder, name, IsFineTuned: false), source);
        }
    }

    /// <summary>A file id in a job request that names no upload is a bad parameter (400), as OpenAI answers it.</summary>
    private string UploadedFile(string id, string param) =>
        files.FindContent(id)
        ?? throw OpenAiException.BadRequest($"Invalid file '{id}' for '{param}': no such file. Upload it with POST /v1/files (purpose=fine-tune) and pass the returned id.", param, "invalid_file_id");

    /// <summary>
    /// The same defaults lft train and /api/finetune use (<see cref="TrainingDefaults"/>): learning_rate_multiplier 1
    /// means the base's own rate (tiny-gpt2 carries 1e-3), or the rate a fine-tuned model was trained with.
    /// </summary>
    private static TrainingOptions Defaults(ResolvedModel model)
    {
        try
        {
            return TrainingDefaults.For(model.Path);
        }
        catch (InvalidDataException e)
        {
            throw OpenAiException.BadRequest(e.Message, "model", "invalid_model_defaults");
        }
    }

    /// <summary>The output folder's base name: a retrain of gpt2-finetuned-X publishes gpt2-finetuned-Y, as /api/finetune does.</summary>
    private static string BaseFolderName(ResolvedModel model) => model.BaseModel;

    private static void RequireTrainable(ResolvedModel model)
    {
        var type = ModelCatalog.ReadModelType(model.Path);
        if (type is not null && !ModelCatalog.SupportedModelTypes.Contains(type))
            throw OpenAiException.BadRequest($"Model '{model.Name}' is a '{type}' model; this server fine-tunes {string.Join(", ", ModelCatalog.SupportedModelTypes)} models only.", "model", "model_not_supported");
    }

    private static string? Suffix(JsonElement body)
    {
        var suffix = JsonFields.String(body, "suffix");
        if (suffix is null) return null;
        return SuffixPattern().IsMatch(suffix) ? suffix
            : throw OpenAiException.BadRequest($"Invalid 'suffix': '{suffix}'. Use 1 to 64 characters from A-Z, a-z, 0-9, '-' and '_'.", "suffix", "invalid_value");
    }

    /// <summary>OpenAI draws a seed when none is given and reports it, so every run can be repeated.</summary>
    private static int Seed(JsonElement body)
    {
        var seed = JsonFields.Long(body, "seed");
        if (seed is null) return RandomNumberGenerator.GetInt32(0, int.MaxValue);
        return seed is >= 0 and <= int.MaxValue ? (int)seed
            : throw OpenAiException.BadRequest($"Invalid 'seed': {seed}. Use an integer from 0 to {int.MaxValue}.", "seed", "invalid_value");
    }

    public static Dictionary<string, string>? Metadata(JsonElement body)
    {
        if (JsonFields.Object(body, "metadata") is not { } m) return null;
        var pairs = new Dictionary<string, string>();
        foreach (var p in m.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw OpenAiException.BadRequest($"Invalid 'metadata.{p.Name}': values must be strings.", $"metadata.{p.Name}", "invalid_type");
            if (p.Name.Length is 0 or > MaxMetadataKeyLength || p.Value.GetString()!.Length > MaxMetadataValueLength)
                throw OpenAiException.BadRequest($"Invalid 'metadata.{p.Name}': keys are 1–{MaxMetadataKeyLength} characters, values at most {MaxMetadataValueLength}.", $"metadata.{p.Name}", "invalid_value");
            pairs[p.Name] = p.Value.GetString()!;
        }
        return pairs.Count <= MaxMetadataPairs ? pairs
            : throw OpenAiException.BadRequest($"Invalid 'metadata': {pairs.Count} pairs; at most {MaxMetadataPairs} are allowed.", "metadata", "invalid_value");
    }
}
