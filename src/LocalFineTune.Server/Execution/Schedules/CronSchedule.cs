using Cronos;
using LocalFineTune.Server.Problems;

namespace LocalFineTune.Server.Execution.Schedules;

/// <summary>A schedule's cron expression in its time zone: parsed once, with 400s naming the field.</summary>
public sealed class CronSchedule
{
    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        Expression = expression;
        Zone = zone;
    }

    public CronExpression Expression { get; }
    public TimeZoneInfo Zone { get; }

    public static CronSchedule Parse(string cron, string timeZone) => new(ParseCron(cron), ParseZone(timeZone));

    /// <summary>The first occurrence after <paramref name="now"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset now) => Expression.GetNextOccurrence(now, Zone);

    /// <summary>
    /// The latest occurrence in (<paramref name="after"/>, <paramref name="now"/>]: the run that is due, missed ones
    /// collapsed into one (a service down for three firings runs once). Null when nothing is due.
    /// </summary>
    public DateTimeOffset? LatestDue(DateTimeOffset after, DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        for (var next = Expression.GetNextOccurrence(after, Zone); next is { } n && n <= now; next = Expression.GetNextOccurrence(n, Zone))
        {
            due = n;
        }
        return due;
    }

    private static CronExpression ParseCron(string cron)
    {
        try
        {
            return CronExpression.Parse(cron.Trim(), CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new ApiProblemException("cron", "invalid_cron",
                $"cron '{ClientText.Echo(cron)}' is not a five-field cron expression ({e.Message}). Example: \"0 3 1 * *\" = 03:00 on the 1st of each month.");
        }
    }

    private static TimeZoneInfo ParseZone(string timeZone)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZone.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new ApiProblemException("time_zone", "invalid_time_zone",
                $"time_zone '{ClientText.Echo(timeZone)}' is not a time zone this machine knows; use an IANA id such as \"Europe/Paris\" or \"UTC\".");
        }
    }
}
