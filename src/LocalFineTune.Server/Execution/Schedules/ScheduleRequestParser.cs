using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Server.Problems;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Execution.Schedules;

/// <summary>A parsed POST /api/finetune/schedules body.</summary>
public sealed record ScheduleRequest(string? Name, string Cron, string TimeZone, CronSchedule Schedule, ScheduleDefinition Definition);

/// <summary>
/// Checks a POST /api/finetune/schedules body, or throws a 400 naming the field. The job template goes through
/// <see cref="StartRequestParser"/> itself (its fields named "job.&lt;field&gt;"), so a schedule accepts exactly what
/// /api/finetune/start accepts; only this month's dataset file may be missing.
/// </summary>
public sealed class ScheduleRequestParser(StartRequestParser startParser, IOptions<ServerOptions> options, TimeProvider time)
{
    private static readonly string[] Fields = ["name", "cron", "time_zone", "job", "continue_from", "promote", "holdout"];

    public ScheduleRequest Parse(JsonElement body)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!Fields.Contains(property.Name))
                throw new ApiProblemException(property.Name, "unknown_parameter",
                    $"Unknown field '{ClientText.Echo(property.Name)}'. A schedule takes {string.Join(", ", Fields)}; hyperparameters go inside \"job\".");
        }
        var cron = RequiredString(body, "cron", "a five-field cron expression such as \"0 3 1 * *\" (03:00 on the 1st of each month)");
        var timeZone = OptionalString(body, "time_zone") ?? "UTC";
        var schedule = CronSchedule.Parse(cron, timeZone);
        var job = JobTemplate(body);
        var promote = OptionalString(body, "promote") ?? PromotePolicy.Always;
        if (promote is not (PromotePolicy.Always or PromotePolicy.IfBetter))
            throw new ApiProblemException("promote", "invalid_parameter", $"promote '{ClientText.Echo(promote)}' is not one of \"always\", \"if_better\".");
        var continueFrom = OptionalString(body, "continue_from");
        if (continueFrom is not (null or "latest"))
            throw new ApiProblemException("continue_from", "invalid_parameter",
                $"continue_from '{ClientText.Echo(continueFrom)}' is not supported; use \"latest\" (the base's promoted latest fine-tune) or leave it out.");
        var holdout = OptionalString(body, "holdout");
        if (holdout is not null) ResolveHoldout(holdout);
        else if (promote == PromotePolicy.IfBetter)
            throw new ApiProblemException("holdout", "missing_required_parameter",
                "promote \"if_better\" compares eval losses on a fixed holdout file: give 'holdout', a path under the data root such as \"data/frigo_holdout.csv\".");
        var spec = ParseTemplate(job, schedule);
        var definition = new ScheduleDefinition { Job = job, ContinueFrom = continueFrom, Promote = promote, Holdout = holdout, BaseModel = spec.BaseModelName };
        return new ScheduleRequest(OptionalString(body, "name"), cron.Trim(), timeZone.Trim(), schedule, definition);
    }

    /// <summary>The holdout file under the data root; 400 naming "holdout" (a fixed file: it must exist now).</summary>
    public string ResolveHoldout(string holdout)
    {
        try
        {
            return DataRootPaths.Resolve(options.Value.DataRoot, holdout);
        }
        catch (ApiProblemException e)
        {
            throw new ApiProblemException("holdout", e.Code, e.Message.Replace("dataset_url", "holdout"), e.Status, e.Extra);
        }
    }

    /// <summary>The template checked as a start request, with the pattern resolved for the next occurrence.</summary>
    private TrainingJobSpec ParseTemplate(JsonObject job, CronSchedule schedule)
    {
        var pattern = job["dataset_url"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (pattern is not null) DatasetPattern.Validate(pattern, "job.dataset_url");
        var probe = (JsonObject)job.DeepClone();
        var next = schedule.Next(time.GetUtcNow()) ?? time.GetUtcNow();
        if (pattern is not null) probe["dataset_url"] = DatasetPattern.Resolve(pattern, TimeZoneInfo.ConvertTime(next, schedule.Zone).DateTime);
        try
        {
            return startParser.Parse(JsonSerializer.SerializeToElement(probe), requireDataset: false);
        }
        catch (ApiProblemException e)
        {
            throw new ApiProblemException(e.Param is null ? "job" : "job." + e.Param, e.Code, e.Message, e.Status, e.Extra);
        }
    }

    private static JsonObject JobTemplate(JsonElement body)
    {
        if (!body.TryGetProperty("job", out var job) || job.ValueKind == JsonValueKind.Null)
            throw new ApiProblemException("job", "missing_required_parameter",
                "'job' is required: the job to run, as a /api/finetune/start body, e.g. {\"model\": \"gpt2\", \"dataset_url\": \"data/frigo_{yyyy-MM}.csv\"}.");
        return job.ValueKind == JsonValueKind.Object ? JsonNode.Parse(job.GetRawText())!.AsObject()
            : throw new ApiProblemException("job", "invalid_type", "'job' must be an object: a /api/finetune/start body.");
    }

    private static string RequiredString(JsonElement body, string name, string hint) =>
        OptionalString(body, name) ?? throw new ApiProblemException(name, "missing_required_parameter", $"'{name}' is required: {hint}.");

    private static string? OptionalString(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString()!
            : throw new ApiProblemException(name, "invalid_type", $"'{name}' must be a non-empty string.");
    }
}
