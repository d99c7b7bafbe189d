using Hangfire;
using Hangfire.Common;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Schedules;

namespace LocalFineTune.Server.Execution.Schedules;

/// <summary>
/// Keeps one Hangfire recurring job per stored schedule, on the dispatcher's storage. Its firing only calls
/// <see cref="ScheduleTrigger.Fire"/> (on the validation queue: a short step that creates the training job); our
/// store decides whether that occurrence still has to run, so Hangfire's own misfire handling cannot run one twice.
/// </summary>
public sealed class ScheduleRegistrar(JobDispatcher dispatcher)
{
    private readonly RecurringJobManager _manager = new(dispatcher.Storage, dispatcher.Filters);

    public static string RecurringId(string scheduleId) => "lft-" + scheduleId;

    public void Register(ScheduleRecord schedule, CronSchedule cron)
    {
        var id = schedule.Id;
        _manager.AddOrUpdate(RecurringId(id), Job.FromExpression<ScheduleTrigger>(t => t.Fire(id), JobQueues.Validation), schedule.Cron,
            new RecurringJobOptions { TimeZone = cron.Zone });
    }

    public void Remove(string scheduleId) => _manager.RemoveIfExists(RecurringId(scheduleId));
}

/// <summary>The Hangfire entry point of a schedule's firing (one stable method, as for jobs).</summary>
public sealed class ScheduleTrigger(ScheduleService schedules)
{
    public void Fire(string scheduleId) => schedules.FireDue(scheduleId);
}

/// <summary>At start: registers every stored schedule with Hangfire (its in-memory storage forgets them) and runs, once,
/// each schedule whose latest occurrence passed while the service was down.</summary>
public sealed class ScheduleHostedService(ScheduleService schedules) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        schedules.RegisterAllAndCatchUp();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
