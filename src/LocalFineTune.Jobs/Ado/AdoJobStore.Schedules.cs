using LocalFineTune.Jobs.Schedules;

namespace LocalFineTune.Jobs.Ado;

/// <summary>The schedules table (SQL in <see cref="ScheduleSql"/>, the same for both databases).</summary>
public abstract partial class AdoJobStore : IScheduleStore
{
    public ScheduleRecord CreateSchedule(string? name, string cron, string timeZone, string templateJson) =>
        WithTransaction((c, tx) => ScheduleSql.Create(c, tx, name, cron, timeZone, templateJson, Now));

    public ScheduleRecord? GetSchedule(string id) => WithConnection(c => ScheduleSql.Read(c, null, id).FirstOrDefault());

    public IReadOnlyList<ScheduleRecord> ListSchedules() => WithConnection(c => ScheduleSql.Read(c, null, null));

    public bool DeleteSchedule(string id) => WithTransaction((c, tx) => ScheduleSql.Delete(c, tx, id));

    public bool TryClaimRun(string id, long? expectedLastRunAt, long runAt) =>
        WithTransaction((c, tx) => ScheduleSql.TryClaimRun(c, tx, id, expectedLastRunAt, runAt));

    public void RecordRunOutcome(string id, string? jobId, string? error) =>
        WithTransaction((c, tx) => { ScheduleSql.RecordOutcome(c, tx, id, jobId, error); return 0; });
}
