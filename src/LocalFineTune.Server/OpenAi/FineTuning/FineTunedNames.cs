using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.OpenAi.Common;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>A parsed "ft:{base}:{org}:{suffix}:{short id}[:ckpt-step-N]" name.</summary>
public sealed record FtName(string BaseModel, string Organization, string Suffix, string ShortId, int? CheckpointStep)
{
    public string ModelName => $"ft:{BaseModel}:{Organization}:{Suffix}:{ShortId}";
}

/// <summary>
/// OpenAI-style names of fine-tuned models and their checkpoints. A published folder records its name in
/// <see cref="RecordFile"/>, so the name keeps working when the job database is gone; a freshly finished job whose
/// folder has no record yet is found through the job store (and the record is written then).
/// </summary>
public sealed class FineTunedNames(IJobStore store, ModelCatalog catalog, IOptions<ServerOptions> server, IOptions<OpenAiOptions> options)
{
    public const string RecordFile = "fine_tuned_model.json";
    public const string CheckpointMarker = ":ckpt-step-";
    private const int ShortIdLength = 8;

    public string Organization => options.Value.Organization;

    public static string ShortIdOf(string jobId) => jobId[JobIds.Prefix.Length..][..Math.Min(ShortIdLength, jobId.Length - JobIds.Prefix.Length)];

    public string NameFor(string jobId, string baseModel, string? suffix) => $"ft:{baseModel}:{Organization}:{suffix}:{ShortIdOf(jobId)}";

    public static string CheckpointName(string modelName, long step) => $"{modelName}{CheckpointMarker}{step}";

    public static FtName? Parse(string name)
    {
        if (!name.StartsWith("ft:", StringComparison.Ordinal)) return null;
        int? step = null;
        var marker = name.LastIndexOf(CheckpointMarker, StringComparison.Ordinal);
        if (marker > 0)
        {
            if (!int.TryParse(name[(marker + CheckpointMarker.Length)..], out var s)) return null;
            step = s;
            name = name[..marker];
        }
        var parts = name.Split(':');
        // Parse from the right: the base name is the only part that might itself contain ':'.
        return parts.Length < 5 ? null
            : new FtName(string.Join(':', parts[1..^3]), parts[^3], parts[^2], parts[^1], step);
    }

    /// <summary>The model name recorded in a fine-tuned folder, or null (folders made by /api/finetune or the CLI).</summary>
    public static string? ReadRecord(string folder)
    {
        try
        {
            var path = Path.Combine(folder, RecordFile);
            if (!File.Exists(path)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the folder's record for a succeeded /v1 job (idempotent). Returns the folder, or null when it is gone.</summary>
    public string? Record(JobRecord job)
    {
        var folder = OutputFolderOf(job);
        var spec = OpenAiJobSpec.TryRead(job.SpecJson);
        if (folder is null || spec is null || !Directory.Exists(folder)) return null;
        var name = NameFor(job.Id, spec.BaseModel, spec.Suffix);
        if (ReadRecord(folder) != name)
        {
            var record = JsonSerializer.Serialize(new { id = name, job_id = job.Id, created_at = job.FinishedAt ?? job.UpdatedAt });
            var temp = Path.Combine(folder, "." + RecordFile + ".tmp");
            File.WriteAllText(temp, record);
            File.Move(temp, Path.Combine(folder, RecordFile), overwrite: true);
        }
        return folder;
    }

    /// <summary>The folder of a fine-tuned model name, or null when no folder carries it and no finished job made it.</summary>
    public string? FindFolder(string modelName)
    {
        var recorded = catalog.ListFineTuned().Select(f => Path.GetFullPath(f.Path)).FirstOrDefault(f => ReadRecord(f) == modelName);
        if (recorded is not null) return recorded;
        var parsed = Parse(modelName);
        var job = parsed is null ? null : FindJob(parsed.ShortId);
        return job is { State: JobState.Succeeded } && NameOfJob(job) == modelName ? Record(job) : null;
    }

    /// <summary>The job a short id belongs to; a scan over /v1 jobs, only needed before a folder has its record.</summary>
    public JobRecord? FindJob(string shortId)
    {
        string? after = null;
        while (true)
        {
            var page = store.List(new JobListQuery { Source = OpenAiJobSpec.Source, After = after, Limit = 100 });
            var hit = page.Items.FirstOrDefault(j => ShortIdOf(j.Id) == shortId);
            if (hit is not null || !page.HasMore || page.Items.Count == 0) return hit;
            after = page.Items[^1].Id;
        }
    }

    public string? NameOfJob(JobRecord job) =>
        OpenAiJobSpec.TryRead(job.SpecJson) is { } spec && job.Source == OpenAiJobSpec.Source ? NameFor(job.Id, spec.BaseModel, spec.Suffix) : null;

    /// <summary>Where the executor published the model (its result's model_path), as an absolute path.</summary>
    public string? OutputFolderOf(JobRecord job)
    {
        if (job.ResultJson is null) return null;
        using var doc = JsonDocument.Parse(job.ResultJson);
        if (!doc.RootElement.TryGetProperty("model_path", out var path) || path.GetString() is not { Length: > 0 } text) return null;
        var full = Path.IsPathRooted(text) ? text : Path.GetFullPath(text);
        return full.TrimEnd('/', Path.DirectorySeparatorChar);
    }

    public string CheckpointsRoot => Path.Combine(server.Value.StateFolder, "openai", "checkpoints");

    public string CheckpointFolder(string jobId, long step) => Path.Combine(CheckpointsRoot, jobId, $"checkpoint-{step}");

    /// <summary>The kept copy behind "ft:…:ckpt-step-N"; 404 naming the cause otherwise.</summary>
    public string ResolveCheckpoint(string name, FtName parsed, string param)
    {
        var job = FindJob(parsed.ShortId);
        var folder = job is null || NameOfJob(job) != parsed.ModelName ? null : CheckpointFolder(job.Id, parsed.CheckpointStep!.Value);
        return folder is not null && Directory.Exists(folder) ? folder
            : throw OpenAiException.NotFound($"The model '{name}' does not exist: no kept checkpoint has that name. " +
                "GET /v1/fine_tuning/jobs/{id}/checkpoints lists the usable ones (the newest three per job are kept).", param, "model_not_found");
    }
}
