using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Postgres;
using LocalFineTune.Server.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace LocalFineTune.Server.Tests;

/// <summary>
/// The postgres profile with real `lft serve` processes on one database: a worker killed with SIGKILL hands its job
/// to the other worker, which resumes from the last checkpoint; many jobs spread over two workers run once each; a
/// healthy job longer than Hangfire's invisibility timeout is not taken twice; a PostgreSQL restart loses nothing.
/// "Once" is read from our store's history (one running, one succeeded) and from the published model folders.
/// </summary>
[Collection(PostgresServerCollection.Name)]
public sealed class PostgresWorkersTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>480 steps with a checkpoint every 4: long enough to kill or restart something mid-training.</summary>
    private const string LongJob = """{"model":"tiny","dataset_url":"train.csv","epochs":20,"batch_size":1,"save_steps":4}""";
    private const string SmallJob = """{"model":"tiny","dataset_url":"train.csv","epochs":1,"batch_size":8}""";

    private readonly TestFolders _folders = new();
    private readonly List<ServerProcess> _processes = [];
    private TestPostgres? _pg;

    private TestPostgres Pg => _pg ??= new TestPostgres();

    [PostgresFact]
    public async Task KilledWorker_JobResumesOnTheOtherFromItsCheckpoint_AndSucceedsOnce()
    {
        var (first, second) = await StartTwoWorkers();
        using var client = Client(first);
        var jobId = await client.StartJob(LongJob);
        var checkpointStep = await client.WaitForCheckpoint(jobId);
        using var store = new PostgresJobStore(Pg.ConnectionString);
        var runner = OwnerProcess(store, jobId, first, second);
        var survivor = runner == first ? second : first;

        runner.KillHard();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await WaitUntil(() => store.Get(jobId) is { State: JobState.Running, OwnerId: { } o } && Pid(o) == survivor.ProcessId,
            TimeSpan.FromSeconds(60), $"job {jobId} was not running on the surviving worker within 60 s of the kill:\n{survivor.Output}");
        // The figure bench/README.md quotes for "crash → resumed on the other worker" (the bound above is the test).
        output.WriteLine($"job {jobId} running on the surviving worker {killed.Elapsed.TotalSeconds:0.0} s after SIGKILL");
        using var survivorClient = Client(survivor);
        var status = await survivorClient.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(150));

        Assert.True(status.GetProperty("status").GetString() == "succeeded", $"{status}\n{survivor.Output}");
        var events = await survivorClient.AllEventMessages(jobId);
        Assert.Contains(events, m => m.StartsWith("Resuming from checkpoint-", StringComparison.Ordinal));
        var resumedAt = JobEventsApi.ResumedAtStep(events);
        Assert.True(resumedAt >= checkpointStep, $"resumed at {resumedAt}, but checkpoint {checkpointStep} was complete before the kill");
        AssertRanToSuccessOnce(store, jobId, expectedRuns: 2);
        Assert.Single(PublishedModels());
    }

    [PostgresFact]
    public async Task TwentyJobs_OnTwoWorkers_EachSucceedsExactlyOnce()
    {
        var (first, second) = await StartTwoWorkers();
        using var client = Client(first);
        var jobIds = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            jobIds.Add(await client.StartJob(SmallJob));
        }
        var paths = new List<string>();
        foreach (var jobId in jobIds)
        {
            var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(150));
            Assert.True(status.GetProperty("status").GetString() == "succeeded", $"{status}\n{first.Output}\n{second.Output}");
            paths.Add(status.GetProperty("model_path").GetString()!);
        }

        using var store = new PostgresJobStore(Pg.ConnectionString);
        foreach (var jobId in jobIds)
        {
            AssertRanToSuccessOnce(store, jobId, expectedRuns: 1);
        }
        Assert.Equal(20, paths.Distinct().Count());
        Assert.Equal(20, PublishedModels().Count);
        // Both take work: 20 jobs of about a second each outlast the 1 s queue poll of the second worker many times.
        var owners = jobIds.Select(id => Pid(RunningOwner(store, id))).ToHashSet();
        Assert.True(owners.SetEquals([first.ProcessId, second.ProcessId]), $"jobs ran on processes {string.Join(", ", owners)} only");
    }

    [PostgresFact]
    public async Task HealthyJob_LongerThanTheInvisibilityTimeout_IsNeverTakenTwice()
    {
        const double invisibility = 2;
        var (first, second) = await StartTwoWorkers(invisibility);
        using var client = Client(first);
        var jobId = await client.StartJob(LongJob);
        var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(150));

        Assert.True(status.GetProperty("status").GetString() == "succeeded", $"{status}\n{first.Output}\n{second.Output}");
        using var store = new PostgresJobStore(Pg.ConnectionString);
        var history = store.GetHistory(jobId);
        var ran = history.Single(h => h.To == JobState.Running).At;
        var done = history.Single(h => h.To == JobState.Succeeded).At;
        // The test means something only if the job outlived the timeout several times over (history is in seconds).
        Assert.True(done - ran >= 3 * invisibility, $"the job ran {done - ran} s; make LongJob longer than {3 * invisibility} s");
        AssertRanToSuccessOnce(store, jobId, expectedRuns: 1);
        // Hangfire itself: without sliding invisibility the other worker fetches the job again and records a second
        // Processing state (our claim would then refuse it, but Hangfire would have delivered twice).
        var processing = HangfireProcessingCounts();
        Assert.True(processing.Count > 0 && processing.Values.All(n => n == 1),
            $"Hangfire Processing states per job: {string.Join(", ", processing.Select(p => $"{p.Key}={p.Value}"))}");
    }

    [PostgresRestartFact]
    public async Task PostgresRestart_MidJob_JobStillSucceedsOnce_AndNothingIsLost()
    {
        var (first, second) = await StartTwoWorkers();
        using var client = Client(first);
        var jobId = await client.StartJob(LongJob);
        await client.WaitForCheckpoint(jobId);
        var eventsBefore = await client.AllEventMessages(jobId);

        PostgresServerControl.Restart();
        var status = await WaitForFinalTolerant(client, jobId, TimeSpan.FromSeconds(150));

        Assert.True(status == "succeeded", $"{status}\n{first.Output}\n{second.Output}");
        var events = await client.AllEventMessages(jobId);
        Assert.True(eventsBefore.All(events.Contains), "events written before the restart are missing after it");
        using var store = new PostgresJobStore(Pg.ConnectionString);
        var history = store.GetHistory(jobId);
        Assert.Single(history, h => h.To == JobState.Succeeded);
        Assert.Single(PublishedModels());
    }

    private async Task<(ServerProcess First, ServerProcess Second)> StartTwoWorkers(double invisibilitySeconds = 30)
    {
        // One "all" (API + worker) and one worker: two workers on one database, and an API to talk to.
        var first = await Start("all", invisibilitySeconds);
        var second = await Start("worker", invisibilitySeconds);
        return (first, second);
    }

    private async Task<ServerProcess> Start(string role, double invisibilitySeconds)
    {
        var settings = Pg.Settings();
        settings["LocalFineTune:Role"] = role;
        settings["LocalFineTune:HangfireInvisibilityTimeoutSeconds"] = invisibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = await ServerProcess.StartAsync(_folders, ServerProcess.FreePort(), settings);
        _processes.Add(process);
        return process;
    }

    private static HttpClient Client(ServerProcess process) => new() { BaseAddress = new Uri(process.BaseUrl) };

    /// <summary>Owner ids are host:pid:random.</summary>
    private static int Pid(string ownerId) => int.Parse(ownerId.Split(':')[^2]);

    private static string RunningOwner(IJobStore store, string jobId) =>
        store.GetHistory(jobId).Last(h => h.To == JobState.Running).OwnerId ?? throw new InvalidOperationException($"{jobId} ran without an owner");

    private static ServerProcess OwnerProcess(IJobStore store, string jobId, params ServerProcess[] processes)
    {
        var pid = Pid(RunningOwner(store, jobId));
        return processes.SingleOrDefault(p => p.ProcessId == pid)
            ?? throw new InvalidOperationException($"job {jobId} runs on process {pid}, none of the test's workers");
    }

    /// <summary>One succeeded in the history, after <paramref name="expectedRuns"/> claims (a crash adds one).</summary>
    private static void AssertRanToSuccessOnce(IJobStore store, string jobId, int expectedRuns)
    {
        var history = store.GetHistory(jobId);
        var trace = string.Join(" → ", history.Select(h => $"{h.To}({h.OwnerId})"));
        Assert.True(history.Count(h => h.To == JobState.Succeeded) == 1, $"{jobId}: {trace}");
        Assert.True(history.Count(h => h.To == JobState.Running) == expectedRuns, $"{jobId}: {trace}");
    }

    /// <summary>Published fine-tunes (folders with weights outside base/ and outside hidden work folders).</summary>
    private List<string> PublishedModels() =>
        Directory.EnumerateFiles(_folders.ModelsRoot, "model.safetensors", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_folders.ModelsRoot, Path.GetDirectoryName(f)!))
            .Where(d => !d.StartsWith("base", StringComparison.Ordinal) && !d.Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('.')))
            .ToList();

    private Dictionary<long, long> HangfireProcessingCounts()
    {
        using var c = new NpgsqlConnection(Pg.ConnectionString);
        c.Open();
        using var query = new NpgsqlCommand($"SELECT jobid, count(*) FROM {Pg.Schema}_hf.state WHERE name = 'Processing' GROUP BY jobid", c);
        using var reader = query.ExecuteReader();
        var counts = new Dictionary<long, long>();
        while (reader.Read())
        {
            counts[reader.GetInt64(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
            await Task.Delay(200);
        }
    }

    /// <summary>Like <see cref="Api.WaitForStatus"/>, but a request that fails while the database comes back is retried.</summary>
    private static async Task<string> WaitForFinalTolerant(HttpClient client, string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/api/finetune/status/{jobId}");
            if (response.IsSuccessStatusCode)
            {
                last = (await response.Json()).GetProperty("status").GetString()!;
                if (Api.IsFinal(last)) return last;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"job {jobId} did not finish within {timeout}; last status {last}");
    }

    public void Dispose()
    {
        foreach (var process in _processes) process.Dispose();
        _pg?.Dispose();
        _folders.Dispose();
    }
}
