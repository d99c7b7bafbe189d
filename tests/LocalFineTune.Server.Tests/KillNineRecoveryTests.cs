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
            checkpointStep = await client.WaitForCheckpoint(jobId);
            first.KillHard();
        }

        using var second = await ServerProcess.StartAsync(_folders, port);
        using var client2 = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        var status = await client2.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(150));

        Assert.True(status.GetProperty("status").GetString() == "succeeded", $"{status}\n{second.Output}");
        var modelPath = Path.GetFullPath(status.GetProperty("model_path").GetString()!, _folders.Root);
        Assert.True(File.Exists(Path.Combine(modelPath, "model.safetensors")));
        var events = await client2.AllEventMessages(jobId);
        Assert.Contains(events, m => m.Contains("resumed after restart", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(events, m => m.StartsWith("Resuming from checkpoint-", StringComparison.Ordinal));
        var step = JobEventsApi.ResumedAtStep(events);
        Assert.True(step >= checkpointStep, $"resumed at {step}, but checkpoint {checkpointStep} was complete before the kill");
        Assert.Empty(Directory.EnumerateDirectories(_folders.ModelsRoot, ".*.partial"));
    }

    public void Dispose() => _folders.Dispose();
}
