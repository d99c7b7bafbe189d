using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>
/// The durability promise: a job whose process is killed with SIGKILL mid-training is resumed from its last
/// complete checkpoint when the service starts again, and succeeds with a model folder.
/// </summary>
public sealed class KillNineRecoveryTests : IDisposable
{
    private readonly TestFolders _folders = new();

    [Fact]
    public async Task Restart_ResumesJobFromLastCheckpoint_WhenProcessWasKilledMidTraining()
    {
        var port = ServerProcess.FreePort();
        string jobId;
        long checkpointStep;
        using (var first = await ServerProcess.StartAsync(_folders, port))
        {
            using var client = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
            jobId = await client.StartJob("""{"model":"tiny","dataset_url":"train.csv","epochs":20,"batch_size":1,"save_steps":4}""");
            checkpointStep = await WaitForCheckpoint(client, jobId);
            first.KillHard();
        }

        using var second = await ServerProcess.StartAsync(_folders, port);
        using var client2 = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        var status = await client2.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(150));

        Assert.True(status.GetProperty("status").GetString() == "succeeded", $"{status}\n{second.Output}");
        var modelPath = Path.GetFullPath(status.GetProperty("model_path").GetString()!, _folders.Root);
        Assert.True(File.Exists(Path.Combine(modelPath, "model.safetensors")));
        var events = await AllEventMessages(client2, jobId);
        Assert.Contains(events, m => m.Contains("resumed after restart", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(events, m => m.StartsWith("Resuming from checkpoint-", StringComparison.Ordinal));
        var resumedAt = events.Single(m => m.StartsWith("resumed from", StringComparison.Ordinal));
        Assert.Matches(@"at step (\d+)/", resumedAt);
        var step = long.Parse(System.Text.RegularExpressions.Regex.Match(resumedAt, @"at step (\d+)/").Groups[1].Value);
        Assert.True(step >= checkpointStep, $"resumed at {step}, but checkpoint {checkpointStep} was complete before the kill");
        Assert.Empty(Directory.EnumerateDirectories(_folders.ModelsRoot, ".*.partial"));
    }

    /// <summary>Waits until a checkpoint is recorded and training has moved on past it, then returns its step.</summary>
    private static async Task<long> WaitForCheckpoint(HttpClient client, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (DateTime.UtcNow < deadline)
        {
            var events = await AllEventMessages(client, jobId);
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

    private static async Task<List<string>> AllEventMessages(HttpClient client, string jobId)
    {
        var page = await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events?order=asc&limit=100")).Json();
        var messages = page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
        var after = page.GetProperty("events").EnumerateArray().LastOrDefault();
        while (page.GetProperty("has_more").GetBoolean())
        {
            page = await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events?order=asc&limit=100&after={after.GetProperty("id").GetInt64()}")).Json();
            messages.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!));
            after = page.GetProperty("events").EnumerateArray().Last();
        }
        return messages;
    }

    public void Dispose() => _folders.Dispose();
}
