using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Jobs;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Server.Problems;
using LocalFineTune.Training.Comparison;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Execution;

/// <summary>What POST /api/finetune/compare stores in state/comparisons/&lt;id&gt;.json: the jobs, and how to rebuild the held-out set.</summary>
public sealed record ComparisonRecord(string Id, DateTime Created, string DatasetUrl, string? EvalFile, int Seed, int Samples,
    IReadOnlyList<ComparisonRecord.Entry> Models)
{
    public sealed record Entry(string Model, string JobId);
}

/// <summary>
/// Compare several bases on one dataset: one ordinary job per base (same data, same seed, so the same held-out split;
/// queued per device like any job), and a report built from their published folders. Once every job is final the
/// held-out prompts are answered by each fine-tuned model in the background (<see cref="ComparisonSamples"/>).
/// </summary>
public sealed class ComparisonService(IJobStore store, StartRequestParser parser, JobLifecycleLog lifecycle, ComparisonSamples samples,
    IOptions<ServerOptions> options)
{
    public const int MaxModels = 8;
    public const int MaxSamples = 20;
    public const int DefaultSamples = 5;
    private static readonly string[] OwnFields = ["models", "samples", "eval_file"];

    private string Folder => Path.Combine(options.Value.StateFolder, "comparisons");

    public ComparisonRecord Start(JsonElement body)
    {
        var models = ModelNames(body);
        var samples = Samples(body);
        var evalFile = EvalFile(body);
        // Every job is checked before any is created, so a bad model name leaves no half-started comparison.
        var specs = models.Select((model, i) => Parse(body, model, i, evalFile)).ToList();
        var id = "cmp-" + Guid.NewGuid().ToString("N")[..16];
        var entries = specs.Select(spec => new ComparisonRecord.Entry(spec.Model, Create(spec, id).Id)).ToList();
        var record = new ComparisonRecord(id, DateTime.UtcNow, specs[0].DatasetUrl, evalFile, specs[0].TrainingOptions.Seed, samples, entries);
        Directory.CreateDirectory(Folder);
        WriteAtomically(RecordPath(id), JsonSerializer.Serialize(record, TrainingJobSpec.Json));
        return record;
    }

    public ComparisonReport Report(string id)
    {
        var record = Load(id);
        var rows = record.Models.Select(Row).ToList();
        var report = new ComparisonReport { Id = id, Dataset = record.DatasetUrl, Created = record.Created, Models = rows };
        if (record.Samples == 0 || rows.Any(r => r.Method == "dpo")) return report with { SamplesStatus = SamplesStatus.None };
        if (report.Status != "completed") return report with { SamplesStatus = SamplesStatus.Waiting };
        var state = samples.Get(SamplesPath(id), () => HeldOutSamples.Pick(HeldOut(record), record.Samples), rows);
        return report with { Samples = state.Samples, SamplesStatus = state.Status, SamplesError = state.Error };
    }

    /// <summary>Where the held-out answers of comparison <paramref name="id"/> are kept once generated.</summary>
    public string SamplesPath(string id) => Path.Combine(Folder, id + ".samples.json");

    private ComparedModel Row(ComparisonRecord.Entry entry)
    {
        var job = store.Get(entry.JobId);
        if (job is null) return new ComparedModel { Model = entry.Model, Status = "failed", JobId = entry.JobId, Error = "the job record is gone" };
        var status = job.State.ToWireName();
        if (job.State != JobState.Succeeded || job.ResultJson is null)
            return new ComparedModel { Model = entry.Model, Status = status, JobId = job.Id, Error = job.Error?.Message };
        using var result = JsonDocument.Parse(job.ResultJson);
        var folder = Path.GetFullPath(result.RootElement.GetProperty("model_path").GetString()!);
        return ComparedModel.FromFolder(entry.Model, folder, job.Id);
    }

    /// <summary>The held-out examples the jobs evaluated on: the eval file, or the same seeded 10% split of the dataset.</summary>
    private IReadOnlyList<LocalFineTune.Datasets.Model.TrainingExample> HeldOut(ComparisonRecord record)
    {
        var data = DatasetUrls.LooksLikeUrl(record.DatasetUrl)
            ? DownloadedDataset(record.Models[0].JobId)
            : DataRootPaths.Resolve(options.Value.DataRoot, record.DatasetUrl);
        var read = DatasetReader.Read(data, new DatasetReadOptions { ValidationSplit = record.EvalFile is null ? 0.1 : 0, ValidationFile = record.EvalFile, Seed = record.Seed });
        return read.ValidationExamples;
    }

    private string DownloadedDataset(string jobId)
    {
        var folder = Path.Combine(options.Value.StateFolder, "downloads", jobId);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "dataset.*").First(f => !f.EndsWith(".part", StringComparison.Ordinal))
            : throw new ApiProblemException("id", "dataset_missing", $"The downloaded dataset of job {jobId} is gone; the samples cannot be rebuilt.");
    }

    private TrainingJobSpec Parse(JsonElement body, string model, int index, string? evalFile)
    {
        var one = JsonNode.Parse(body.GetRawText())!.AsObject();
        foreach (var field in OwnFields) one.Remove(field);
        one["model"] = model;
        // The same seed for every job: the same shuffle and the same held-out split, so the eval losses compare.
        one["seed"] ??= 42;
        try
        {
            var spec = parser.Parse(JsonSerializer.SerializeToElement(one));
            return evalFile is null ? spec : spec with { ValidationDatasetPath = evalFile };
        }
        catch (ApiProblemException e) when (e.Param == "model")
        {
            throw new ApiProblemException($"models[{index}]", e.Code, e.Message, e.Status, e.Extra);
        }
    }

    private JobRecord Create(TrainingJobSpec spec, string comparisonId)
    {
        var job = store.Create(new NewJob
        {
            SpecJson = spec.ToJson(),
            Device = spec.TrainingOptions.Device,
            Source = FineTuneService.SourceApi,
            Metadata = new Dictionary<string, string> { ["comparison"] = comparisonId },
            MaxAttempts = options.Value.MaxAttempts,
            InitialState = JobState.ValidatingFiles,
        });
        lifecycle.Accepted(job, spec.Model, spec.DatasetUrl);
        return job;
    }

    private ComparisonRecord Load(string id)
    {
        var path = IsId(id) ? RecordPath(id) : null;
        if (path is null || !File.Exists(path))
            throw new ApiProblemException("id", "comparison_not_found", $"No comparison '{ClientText.Echo(id)}'. POST /api/finetune/compare starts one.", StatusCodes.Status404NotFound);
        return JsonSerializer.Deserialize<ComparisonRecord>(File.ReadAllText(path), TrainingJobSpec.Json)!;
    }

    /// <summary>Readers never see half a file: write beside it, then rename over it.</summary>
    internal static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private string RecordPath(string id) => Path.Combine(Folder, id + ".json");

    private static bool IsId(string id) => id.Length == 20 && id.StartsWith("cmp-", StringComparison.Ordinal) && id[4..].All(Uri.IsHexDigit);

    private static List<string> ModelNames(JsonElement body)
    {
        if (!body.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
            throw new ApiProblemException("models", "missing_required_parameter", "'models' is required: a list of 2 to 8 base models such as [\"gpt2\", \"phi\"].");
        var names = models.EnumerateArray().Select((m, i) => m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } s ? s
            : throw new ApiProblemException($"models[{i}]", "invalid_type", "each entry of 'models' must be a model name (a non-empty string).")).ToList();
        if (names.Count is < 2 or > MaxModels)
            throw new ApiProblemException("models", "invalid_value", $"'models' has {names.Count} entries; compare 2 to {MaxModels} models.");
        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Count)
            throw new ApiProblemException("models", "invalid_value", "'models' names a model twice; list each base once.");
        return names;
    }

    private static int Samples(JsonElement body)
    {
        if (!body.TryGetProperty("samples", out var value)) return DefaultSamples;
        return value.TryGetInt32(out var n) && n is >= 0 and <= MaxSamples ? n
            : throw new ApiProblemException("samples", "invalid_value", $"'samples' must be a whole number from 0 to {MaxSamples} (default {DefaultSamples}).");
    }

    private string? EvalFile(JsonElement body)
    {
        if (!body.TryGetProperty("eval_file", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } path)
            throw new ApiProblemException("eval_file", "invalid_type", "'eval_file' must be a path under the data root, such as \"data/holdout.csv\".");
        return DataRootPaths.Resolve(options.Value.DataRoot, path);
    }
}
