using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Server.Problems;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// Turns a POST /api/finetune/start body into a <see cref="TrainingJobSpec"/>, or throws a 400 problem naming the
/// first bad field, so a bad request never becomes a job. An http(s) dataset is probed last (it resolves, passes the
/// address rules, answers 2xx), after every check that needs no network; the download itself stays in the background.
/// </summary>
public sealed class StartRequestParser(ServerOptions options, BaseDownloads bases, DatasetDownloader downloader)
{
    /// <summary>The seed contract's ranges, tighter than the trainer's own limits.</summary>
    public const int MaxEpochs = 20;
    public const int MaxBatchSize = 16;

    /// <summary>Every check, the probe of an http(s) dataset included (POST /api/finetune/start).</summary>
    public async Task<TrainingJobSpec> ParseAsync(JsonElement body, CancellationToken cancellation)
    {
        var spec = Parse(body);
        if (DatasetUrls.LooksLikeUrl(spec.DatasetUrl)) await ProbeAsync(spec.DatasetUrl, cancellation);
        return spec;
    }

    /// <summary>The checks that need no network; an http(s) dataset is only checked against the address rules.</summary>
    /// <param name="requireDataset">False for a schedule's template: its dataset (this month's file) may not exist yet;
    /// every other check still runs, and DatasetPath stays null until the run resolves it.</param>
    public TrainingJobSpec Parse(JsonElement body, bool requireDataset = true)
    {
        var model = RequiredString(body, "model", "the base model to fine-tune, e.g. \"gpt2\" (GET /api/finetune/info lists them)");
        var datasetUrl = RequiredString(body, "dataset_url", "a path under the data root such as \"data/train.csv\", or an https:// URL");
        var source = ResolveModel(model);
        var datasetPath = ResolveDataset(datasetUrl, requireDataset);
        return Build(body, model, source, datasetUrl, datasetPath, validationPath: null, StartFields);
    }

    /// <summary>
    /// Every check of <see cref="Parse"/> for a body that names uploaded files (training_file, validation_file) instead of
    /// dataset_url: POST /api/finetune/validate, whose caller has already resolved the ids to the uploads' paths.
    /// </summary>
    public TrainingJobSpec ParseUploaded(JsonElement body, string trainingFileId, string trainingPath, string? validationPath)
    {
        var model = RequiredString(body, "model", "the base model to fine-tune, e.g. \"gpt2\" (GET /api/finetune/info lists them)");
        return Build(body, model, ResolveModel(model), trainingFileId, trainingPath, validationPath, UploadFields);
    }

    /// <summary>The fields that name the model and the data; every other field is a training option.</summary>
    private static readonly HashSet<string> StartFields = ["model", "dataset_url"];
    private static readonly HashSet<string> UploadFields = ["model", "training_file", "validation_file"];

    private BaseSource ResolveModel(string model)
    {
        var source = bases.ResolveForTraining(model);
        RequireSupportedType(model, source.ConfigFolder);
        return source;
    }

    private TrainingJobSpec Build(JsonElement body, string model, BaseSource source, string datasetUrl, string? datasetPath,
        string? validationPath, HashSet<string> dataFields)
    {
        var trainingOptions = ResolveOptions(body, source.ConfigFolder, dataFields);
        return new TrainingJobSpec
        {
            Model = model,
            ModelPath = source.Folder,
            PullBase = source.PullName,
            BaseModelName = BaseNameOf(model, source.Folder),
            DatasetUrl = datasetUrl,
            DatasetPath = datasetPath,
            ValidationDatasetPath = validationPath,
            Options = JsonSerializer.SerializeToElement(trainingOptions, TrainingOptions.JsonOptions),
        };
    }

    private string? ResolveDataset(string datasetUrl, bool requireDataset)
    {
        if (DatasetUrls.LooksLikeUrl(datasetUrl))
        {
            DatasetUrls.ParseAllowed(datasetUrl, options.Downloads, downloader.Policy);
            return null;
        }
        try
        {
            return DataRootPaths.Resolve(options.DataRoot, datasetUrl);
        }
        catch (ApiProblemException e) when (!requireDataset && e.Code == "dataset_not_found")
        {
            return null;
        }
    }

    private async Task ProbeAsync(string datasetUrl, CancellationToken cancellation)
    {
        try
        {
            await downloader.ProbeAsync(DatasetUrls.ParseAllowed(datasetUrl, options.Downloads, downloader.Policy), cancellation);
        }
        catch (DownloadRefusedException refused)
        {
            throw new ApiProblemException("dataset_url", "dataset_unreachable", refused.Message);
        }
    }

    /// <summary>The base's defaults (<see cref="TrainingDefaults"/>, as lft train and /v1 use) with the request's fields laid over.</summary>
    private TrainingOptions ResolveOptions(JsonElement body, string modelPath, HashSet<string> dataFields)
    {
        var rest = new JsonObject();
        foreach (var property in body.EnumerateObject())
        {
            if (dataFields.Contains(property.Name)) continue;
            rest[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        LiftBeta(rest);
        TrainingOptions parsed;
        try
        {
            parsed = TrainingDefaults.Apply(modelPath, rest, strict: true);
        }
        catch (JsonException e)
        {
            throw OptionProblem(e);
        }
        catch (InvalidDataException e)
        {
            throw new ApiProblemException("model", "invalid_model_defaults", e.Message);
        }
        parsed = ApplyServiceDefaults(parsed, rest);
        CheckSeedRanges(parsed);
        var errors = TrainingOptionsValidator.Validate(parsed);
        if (errors.Count > 0)
        {
            throw new ApiProblemException(errors[0].Field, "invalid_hyperparameter", string.Join("; ", errors) + ".",
                extra: new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { param = e.Field, message = e.Message }).ToList() });
        }
        return ResolveMethod(parsed, modelPath);
    }

    /// <summary>The contract's shorthand {"method": "dpo", "beta": 0.1} is {"dpo": {"beta": 0.1}} in the trainer's options.</summary>
    private static void LiftBeta(JsonObject rest)
    {
        if (!rest.TryGetPropertyValue("beta", out var beta)) return;
        rest.Remove("beta");
        if (rest["dpo"] is JsonObject dpo) { if (!dpo.ContainsKey("beta")) dpo["beta"] = beta; }
        else if (rest["dpo"] is null) rest["dpo"] = new JsonObject { ["beta"] = beta };
        else throw new ApiProblemException("dpo", "invalid_type", "'dpo' must be an object such as {\"beta\": 0.1}.");
    }

    /// <summary>"auto" becomes full or lora now, so the job's stored config shows what will run; LoRA targets are checked against the architecture.</summary>
    private static TrainingOptions ResolveMethod(TrainingOptions options, string modelPath)
    {
        try
        {
            return MethodResolver.Resolve(options, modelPath).Options;
        }
        catch (ArgumentException e)
        {
            throw new ApiProblemException(e.ParamName ?? "method", "invalid_hyperparameter", e.Message.Split(" (Parameter")[0]);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ApiProblemException("model", "model_not_loadable", e.Message);
        }
    }

    private TrainingOptions ApplyServiceDefaults(TrainingOptions parsed, JsonObject given)
    {
        // "device": null means the default, as for every other option.
        var device = (parsed.Device ?? "auto").Trim().ToLowerInvariant();
        if (device == "auto")
        {
            device = options.Devices.FirstOrDefault() ?? "cpu";
        }
        else if (device == "cuda")
        {
            device = "cuda:0";
        }
        if (!options.Devices.Contains(device, StringComparer.OrdinalIgnoreCase))
        {
            throw new ApiProblemException("device", "device_not_available",
                $"device '{ClientText.Echo(parsed.Device)}' is not one this service trains on; use \"auto\" or one of: {string.Join(", ", options.Devices)} (LocalFineTune:Devices).");
        }
        // Resume after a crash needs checkpoints: when the caller did not choose, checkpoint every DefaultSaveSteps.
        var saveSteps = given.ContainsKey("save_steps") ? parsed.SaveSteps : options.DefaultSaveSteps;
        return parsed with { Device = device, SaveSteps = saveSteps };
    }

    private static void CheckSeedRanges(TrainingOptions o)
    {
        if (o.Epochs.Value is int epochs && epochs is < 1 or > MaxEpochs)
        {
            throw new ApiProblemException("epochs", "invalid_hyperparameter", $"epochs {epochs} is out of range; use 1 to {MaxEpochs} (default 3).");
        }
        if (o.BatchSize.Value is int batch && batch is < 1 or > MaxBatchSize)
        {
            throw new ApiProblemException("batch_size", "invalid_hyperparameter",
                $"batch_size {batch} is out of range; use 1 to {MaxBatchSize} (default 4). For a larger effective batch set gradient_accumulation_steps.");
        }
    }

    private static ApiProblemException OptionProblem(JsonException e)
    {
        // System.Text.Json reports the field as a JSON path ("$.epochs"); name the field as the API spells it.
        var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
        if (e.Message.Contains("could not be mapped", StringComparison.OrdinalIgnoreCase))
        {
            var unknown = ExtractQuoted(e.Message) ?? field;
            return new ApiProblemException(unknown, "unknown_parameter",
                $"Unknown field '{unknown}'. Accepted: model, dataset_url, epochs, batch_size, learning_rate, and the trainer options " +
                "(gradient_accumulation_steps, warmup_steps, warmup_ratio, lr_scheduler, weight_decay, max_grad_norm, max_seq_length, seed, eval_steps, save_steps, save_total_limit, device, dtype, " +
                "method, lora, merge, gradient_checkpointing).");
        }
        return new ApiProblemException(field, "invalid_type",
            $"'{field}' has the wrong type or value: {ClientText.Echo(e.InnerException?.Message ?? e.Message)} Send a number for numeric fields (epochs may also be \"auto\").");
    }

    private static string? ExtractQuoted(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    private static string RequiredString(JsonElement body, string name, string hint)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new ApiProblemException(name, "missing_required_parameter", $"'{name}' is required: {hint}.");
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new ApiProblemException(name, "invalid_type", $"'{name}' must be a non-empty string: {hint}.");
        }
        return value.GetString()!.Trim();
    }

    private static void RequireSupportedType(string model, string modelPath)
    {
        var type = ModelCatalog.ReadModelType(modelPath);
        if (type is not null && !ModelCatalog.SupportedModelTypes.Contains(type))
        {
            throw new ApiProblemException("model", "model_not_supported",
                $"model '{model}' is a '{type}' model; this version trains {string.Join(", ", ModelCatalog.SupportedModelTypes)} models only. Use a base of one of these families.");
        }
    }

    /// <summary>A fine-tuned model keeps its original base name, so a monthly retrain of gpt2-finetuned-X yields gpt2-finetuned-Y.</summary>
    private static string BaseNameOf(string model, string modelPath)
    {
        var folder = Path.GetFileName(modelPath.TrimEnd(Path.DirectorySeparatorChar));
        var marker = folder.IndexOf("-finetuned-", StringComparison.Ordinal);
        return marker > 0 ? folder[..marker] : folder;
    }
}
