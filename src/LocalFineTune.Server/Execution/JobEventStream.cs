using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// Live server-sent events for one job: every log/metric event ("event: job_event"), the status snapshot whenever it
/// changes ("event: progress"), and a last snapshot when the job reaches a final state, after which the stream ends.
/// Wakes on the store's Changed notifications; a slow poll covers changes made by another process.
/// </summary>
public sealed class JobEventStream(IJobStore store)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public async IAsyncEnumerable<SseItem<object>> Follow(string jobId, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var signal = new SemaphoreSlim(0);
        void OnChanged(object? sender, JobChangedEventArgs e)
        {
            if (e.JobId == jobId && signal.CurrentCount == 0) signal.Release();
        }
        store.Changed += OnChanged;
        try
        {
            long lastEventId = 0;
            string? lastSnapshot = null;
            var quietSince = DateTime.UtcNow;
            while (!cancellation.IsCancellationRequested)
            {
                foreach (var e in store.ReadEventsSince(jobId, lastEventId, 200))
                {
                    lastEventId = e.Id;
                    quietSince = DateTime.UtcNow;
                    yield return new SseItem<object>(JobViews.Event(e), "job_event") { EventId = e.Id.ToString() };
                }
                var job = store.Get(jobId);
                if (job is null) yield break;
                var snapshot = JobViews.Status(job);
                var key = System.Text.Json.JsonSerializer.Serialize(snapshot with { EtaSeconds = null });
                if (key != lastSnapshot)
                {
                    lastSnapshot = key;
                    quietSince = DateTime.UtcNow;
                    yield return new SseItem<object>(snapshot, "progress");
                }
                if (job.State.IsFinal() && store.ReadEventsSince(jobId, lastEventId, 1).Count == 0) yield break;
                if (DateTime.UtcNow - quietSince > KeepAlive)
                {
                    // Proxies drop idle connections; a comment-like heartbeat keeps the stream open during long steps.
                    quietSince = DateTime.UtcNow;
                    yield return new SseItem<object>(new { job_id = jobId }, "heartbeat");
                }
                try
                {
                    await signal.WaitAsync(Poll, cancellation);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
        finally
        {
            store.Changed -= OnChanged;
        }
    }
}
