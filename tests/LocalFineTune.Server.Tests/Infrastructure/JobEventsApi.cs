using System.Text.Json;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>Reading a job's events over HTTP: the crash tests wait for a checkpoint and look for the resume messages.</summary>
public static class JobEventsApi
{
    /// <summary>Waits until a checkpoint is recorded while the job is still running, then returns its step.</summary>
    public static async Task<long> WaitForCheckpoint(this HttpClient client, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (DateTime.UtcNow < deadline)
        {
            var events = await client.AllEventMessages(jobId);
            var saved = events.Where(m => m.StartsWith("Checkpoint saved at step ", StringComparison.Ordinal)).ToList();
            if (saved.Count > 0)
            {
                var status = await (await client.GetAsync($"/api/finetune/status/{jobId}")).Json();
                Assert.Equal("running", status.GetProperty("status").GetString());
                return saved.Max(m => long.Parse(m["Checkpoint saved at step ".Length..].TrimEnd('.')));
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("no checkpoint was saved in time");
    }

    public static async Task<List<string>> AllEventMessages(this HttpClient client, string jobId)
    {
        var page = await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events?order=asc&limit=100")).Json();
        var messages = Messages(page).ToList();
        while (page.GetProperty("has_more").GetBoolean())
        {
            var after = page.GetProperty("events").EnumerateArray().Last().GetProperty("id").GetInt64();
            page = await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events?order=asc&limit=100&after={after}")).Json();
            messages.AddRange(Messages(page));
        }
        return messages;
    }

    /// <summary>The step of the "resumed from … at step N/…" event, which says where the rerun picked training up.</summary>
    public static long ResumedAtStep(IEnumerable<string> events)
    {
        var resumedAt = events.Single(m => m.StartsWith("resumed from", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(resumedAt, @"at step (\d+)/");
        Assert.True(match.Success, $"no step in '{resumedAt}'");
        return long.Parse(match.Groups[1].Value);
    }

    private static IEnumerable<string> Messages(JsonElement page) =>
        page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!);
}
