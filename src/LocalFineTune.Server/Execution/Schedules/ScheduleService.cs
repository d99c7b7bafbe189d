using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Schedules;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Execution.Schedules;

/// <summary>
/// The schedules' verbs: create (stored, then registered with Hangfire), list, delete, run now, and the firing itself.
/// A firing runs the latest occurrence that is due and not yet run (claimed in the store, so one run per occurrence
/// even with several processes); the dataset pattern resolves to that occurrence's date in the schedule's time zone.
/// </summary>
public sealed class ScheduleService(IScheduleStore store, ScheduleRequestParser parser, StartRequestParser startParser, FineTuneService jobs,
    ModelCatalog catalog, ScheduleRegistrar registrar, TimeProvider time, ILogger<ScheduleService> log)
{
    public const string Source = "schedule";
    public const string MetadataKey = "schedule_id";

    public ScheduleRecord Create(JsonElement body)
    {
        var request = parser.Parse(body);
        var record = store.CreateSchedule(request.Name, request.Cron, request.TimeZone, request.Definition.ToJson());
        try
        {
            registrar.Register(record, request.Schedule);
        }
        catch (ArgumentException e)
        {
            // Hangfire's own cron check is stricter in rare cases: refuse the schedule rather than keep a silent one.
            store.DeleteSchedule(record.Id);
            throw new ApiProblemException("cron", "invalid_cron", $"Hangfire refuses cron '{ClientText.Echo(request.Cron)}': {e.Message}");
        }
        return record;
    }

    public IReadOnlyList<ScheduleRecord> List() => store.ListSchedules();

    public ScheduleRecord Get(string id) => store.GetSchedule(id) ?? throw NotFound(id);

    public void Delete(string id)
    {
        if (!store.DeleteSchedule(id)) throw NotFound(id);
        registrar.Remove(id);
    }

    /// <summary>Runs the schedule now, whatever its cron says; the dataset pattern resolves to today.</summary>
    public JobRecord RunNow(string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            var schedule = Get(id);
            var now = time.GetUtcNow();
            if (store.TryClaimRun(id, schedule.LastRunAt, now.ToUnixTimeSeconds())) return Run(schedule, now, rethrow: true)!;
            if (attempt == 3) throw new ApiProblemException("id", "schedule_busy", $"Schedule {id} is being run by another request; retry in a moment.", StatusCodes.Status409Conflict);
        }
    }

    /// <summary>Hangfire's firing (and the start-up catch-up): runs the latest due occurrence once; never throws.</summary>
    public JobRecord? FireDue(string id)
    {
        try
        {
            var schedule = store.GetSchedule(id);
            if (schedule is null)
            {
                registrar.Remove(id);
                return null;
            }
            var cron = CronSchedule.Parse(schedule.Cron, schedule.TimeZone);
            var after = DateTimeOffset.FromUnixTimeSeconds(schedule.LastRunAt ?? schedule.CreatedAt);
            if (cron.LatestDue(after, time.GetUtcNow()) is not { } due) return null;
            return store.TryClaimRun(id, schedule.LastRunAt, due.ToUnixTimeSeconds()) ? Run(schedule, due, rethrow: false) : null;
        }
        catch (Exception e)
        {
            log.LogError(e, "Schedule {Schedule} could not be fired; the next occurrence tries again.", id);
            return null;
        }
    }

    public void RegisterAllAndCatchUp()
    {
        foreach (var schedule in store.ListSchedules())
        {
            try
            {
                registrar.Register(schedule, CronSchedule.Parse(schedule.Cron, schedule.TimeZone));
            }
            catch (Exception e) when (e is ApiProblemException or ArgumentException)
            {
                log.LogError("Schedule {Schedule} has an unusable cron or time zone ({Message}); delete it and create it again.", schedule.Id, e.Message);
                continue;
            }
            if (FireDue(schedule.Id) is { } job)
                log.LogInformation("Schedule {Schedule} missed a run while the service was down; started {Job}.", schedule.Id, job.Id);
        }
    }

    public DateTimeOffset? NextRun(ScheduleRecord schedule)
    {
        try
        {
            return CronSchedule.Parse(schedule.Cron, schedule.TimeZone).Next(time.GetUtcNow());
        }
        catch (ApiProblemException)
        {
            return null;
        }
    }

    /// <summary>Creates the run's job; a run that cannot start (this month's file is missing) is recorded on the schedule.</summary>
    private JobRecord? Run(ScheduleRecord schedule, DateTimeOffset occurrence, bool rethrow)
    {
        try
        {
            var definition = ScheduleDefinition.FromJson(schedule.TemplateJson);
            var spec = SpecFor(definition, schedule, occurrence);
            var job = jobs.Create(spec, Source, new Dictionary<string, string> { [MetadataKey] = schedule.Id });
            store.RecordRunOutcome(schedule.Id, job.Id, null);
            log.LogInformation("Schedule {Schedule} started {Job} on {Dataset} from {Model}.", schedule.Id, job.Id, spec.DatasetUrl, spec.Model);
            return job;
        }
        catch (ApiProblemException e)
        {
            store.RecordRunOutcome(schedule.Id, null, e.Message);
            log.LogWarning("Schedule {Schedule} could not start its run of {Occurrence}: {Message}", schedule.Id, occurrence, e.Message);
            if (rethrow) throw;
            return null;
        }
    }

    private TrainingJobSpec SpecFor(ScheduleDefinition definition, ScheduleRecord schedule, DateTimeOffset occurrence)
    {
        var zone = CronSchedule.Parse(schedule.Cron, schedule.TimeZone).Zone;
        var body = (JsonObject)definition.Job.DeepClone();
        body["dataset_url"] = DatasetPattern.Resolve(definition.DatasetPattern, TimeZoneInfo.ConvertTime(occurrence, zone).DateTime);
        if (definition.ContinueFrom == ModelCatalog.Latest && catalog.ListFineTuned().Any(f => f.Latest && f.BaseModel == definition.BaseModel))
        {
            body["model"] = $"{ModelCatalog.Latest}:{definition.BaseModel}";
        }
        var spec = startParser.Parse(JsonSerializer.SerializeToElement(body));
        return spec with
        {
            Promote = definition.Promote,
            ScheduleId = schedule.Id,
            ValidationDatasetPath = definition.Holdout is { } holdout ? parser.ResolveHoldout(holdout) : spec.ValidationDatasetPath,
        };
    }

    private static ApiProblemException NotFound(string id) =>
        new("id", "schedule_not_found", $"No schedule with id '{ClientText.Echo(id)}'. GET /api/finetune/schedules lists them.", StatusCodes.Status404NotFound);
}
