using System.Data.Common;
using System.Text;

namespace LocalFineTune.Jobs.Ado;

public abstract partial class AdoJobStore
{
    /// <summary>The single place that writes a state: optimistic on from-state (and owner), history in the same transaction.</summary>
    private bool Apply(DbConnection c, DbTransaction tx, JobTransition t, long now)
    {
        JobStateMachine.EnsureAllowed(t.From, t.To);
        var sql = new StringBuilder($"UPDATE jobs SET state = @to, updated_at = @now, attempt = {_dialect.Greatest}(0, attempt + @delta)");
        sql.Append(t.To == JobState.Running
            ? ", owner_id = @newOwner, heartbeat_at = @now, started_at = COALESCE(started_at, @now)"
            : ", owner_id = NULL, heartbeat_at = NULL");
        if (t.To.IsFinal())
        {
            sql.Append(", finished_at = @now");
        }
        if (t.To == JobState.Queued)
        {
            sql.Append(", available_at = @availableAt");
        }
        if (t.Error is not null)
        {
            sql.Append(", error_code = @errCode, error_message = @errMessage, error_param = @errParam");
        }
        if (t.ResultJson is not null)
        {
            sql.Append(", result = @result");
        }
        if (t.Progress is not null)
        {
            sql.Append(", progress = @progress");
        }
        sql.Append(" WHERE id = @id AND state = @from");
        if (t.ExpectedOwner is not null)
        {
            sql.Append(" AND owner_id = @expectedOwner");
        }
        var rows = c.Exec(tx, sql.ToString(),
            ("@to", t.To.ToWireName()), ("@from", t.From.ToWireName()), ("@id", t.JobId), ("@now", now),
            ("@delta", t.AttemptDelta), ("@newOwner", t.NewOwner), ("@expectedOwner", t.ExpectedOwner),
            ("@availableAt", now + (long)Math.Ceiling((t.Delay ?? TimeSpan.Zero).TotalSeconds)),
            ("@errCode", t.Error?.Code), ("@errMessage", t.Error?.Message), ("@errParam", t.Error?.Param),
            ("@result", t.ResultJson), ("@progress", t.Progress is null ? null : JobRows.ProgressToJson(t.Progress)));
        if (rows != 1)
        {
            return false;
        }
        InsertHistory(c, tx, t.JobId, now, t.From, t.To, t.Reason, t.NewOwner ?? t.ExpectedOwner);
        if (t.Event is not null)
        {
            InsertEvent(c, tx, t.JobId, now, t.Event);
        }
        return true;
    }

    private static void InsertHistory(
        DbConnection c, DbTransaction tx, string jobId, long now, JobState? from, JobState to, string reason, string? owner) =>
        c.Exec(tx, """
            INSERT INTO job_history (job_id, at, from_state, to_state, reason, owner_id)
            VALUES (@id, @now, @from, @to, @reason, @owner)
            """,
            ("@id", jobId), ("@now", now), ("@from", from?.ToWireName()), ("@to", to.ToWireName()),
            ("@reason", reason), ("@owner", owner));
}
