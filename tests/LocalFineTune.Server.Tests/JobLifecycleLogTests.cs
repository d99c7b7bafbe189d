using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LocalFineTune.Server.Tests;

/// <summary>Issue 12.4: every job's lifecycle reaches the server log, each entry carrying the job id as a structured field.</summary>
public sealed class JobLifecycleLogTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public JobLifecycleLogTests()
    {
        _factory = new ServerFactory(_folders, replaceServices: services => services.AddSingleton<ILoggerProvider>(_logs));
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Lifecycle_IsLoggedWithTheJobId_FromAcceptedToSucceeded()
    {
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"train.csv","epochs":2,"batch_size":4,"save_steps":3}""");
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", status.GetProperty("status").GetString());

        var mine = await LifecycleUntil(jobId, 1206);
        Assert.Contains(mine, e => e.EventId == 1200 && (string?)e.Fields["Source"] == "api" && (string?)e.Fields["Model"] == "tiny");
        Assert.Contains(mine, e => e.EventId == 1201 && (string?)e.Fields["State"] == "queued");
        Assert.Contains(mine, e => e.EventId == 1201 && (string?)e.Fields["State"] == "running");
        var started = Assert.Single(mine, e => e.EventId == 1202);
        Assert.Contains("\"learning_rate\"", (string?)started.Fields["Config"]);
        Assert.True(mine.Any(e => e.EventId == 1203 && Equals(e.Fields["Step"], e.Fields["TotalSteps"])), string.Join("\n", mine.Where(e => e.EventId == 1203).Select(e => e.Message + " " + string.Join(",", e.Fields.Select(f => $"{f.Key}={f.Value}")))));
        Assert.Equal(2, mine.Count(e => e.EventId == 1204));
        Assert.Contains(mine, e => e.EventId == 1205);
        Assert.Contains(mine, e => e.EventId == 1206 && e.Fields["ModelPath"] is string path && path.Contains("tiny-finetuned-"));
        Assert.True(mine.Count(e => e.EventId == 1203) <= 12, "progress is logged about every 10%, not every step");
    }

    [Fact]
    public async Task Failure_IsLoggedAsAWarning_WithTheReason()
    {
        _folders.WriteCsv("few.csv", 2);
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"few.csv"}""");
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(60));
        Assert.True("failed" == status.GetProperty("status").GetString(), status.ToString());

        var failed = Assert.Single(await LifecycleUntil(jobId, 1207), e => e.EventId == 1207);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal("dataset_url", failed.Fields["ErrorParam"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)failed.Fields["Reason"]));
    }

    /// <summary>The store logs a state change right after committing it, so a poll can see the state a moment before the log line.</summary>
    private async Task<List<LogEntry>> LifecycleUntil(string jobId, int eventId)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && !Lifecycle(jobId).Any(e => e.EventId == eventId);)
            await Task.Delay(50);
        return Lifecycle(jobId);
    }

    private List<LogEntry> Lifecycle(string jobId) =>
        _logs.Entries.Where(e => e.Category == typeof(JobLifecycleLog).FullName && (string?)e.Fields.GetValueOrDefault("JobId") == jobId).ToList();

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
