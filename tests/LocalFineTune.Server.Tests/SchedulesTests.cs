using System.Net;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Sqlite;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LocalFineTune.Server.Tests;

/// <summary>A clock the test sets: schedules compute due runs and next_run_at from it, never from the wall clock.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>/api/finetune/schedules over HTTP with the fake executor: validation, Hangfire registration, run-now with the
/// dataset pattern, continue_from latest, delete, and the start-up catch-up of a missed run.</summary>
public sealed class SchedulesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly TestFolders _folders = new();
    private readonly FixedClock _clock = new(Now);
    private ServerFactory? _factory;
    private HttpClient? _client;

    private HttpClient Client => _client ??= Factory.CreateClient();
    private ServerFactory Factory => _factory ??= NewFactory();

    [Fact]
    public async Task Create_StoresAndRegistersRecurringJob_WithNextRunInItsTimeZone()
    {
        var created = await Create("""{"name":"frigo monthly","cron":"0 3 1 * *","time_zone":"Europe/Paris","job":{"model":"tiny","dataset_url":"frigo_{yyyy-MM}.csv","epochs":1}}""");

        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T02:00:00Z"), created.GetProperty("next_run_at").GetDateTimeOffset()); // 03:00 Paris (UTC+1)
        Assert.Equal("always", created.GetProperty("promote").GetString());
        Assert.Equal("tiny", created.GetProperty("base_model").GetString());
        var listed = await (await Client.GetAsync("/api/finetune/schedules")).Json();
        Assert.Equal(id, Assert.Single(listed.GetProperty("schedules").EnumerateArray()).GetProperty("id").GetString());
        var recurring = Assert.Single(RecurringJobs(), r => r.Id == "lft-" + id);
        Assert.Equal(("0 3 1 * *", "Europe/Paris", "validation"), (recurring.Cron, recurring.TimeZoneId, recurring.Job.Queue));
    }

    [Theory]
    [InlineData("""{"cron":"0 3 32 * *","job":{"model":"tiny","dataset_url":"train.csv"}}""", "cron")]
    [InlineData("""{"cron":"every month","job":{"model":"tiny","dataset_url":"train.csv"}}""", "cron")]
    [InlineData("""{"cron":"0 3 1 * *","time_zone":"Mars/Olympus","job":{"model":"tiny","dataset_url":"train.csv"}}""", "time_zone")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"frigo_{yyyy-MM.csv"}}""", "job.dataset_url")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"frigo_{../x}.csv"}}""", "job.dataset_url")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"../frigo_{yyyy-MM}.csv"}}""", "job.dataset_url")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv","epochs":99}}""", "job.epochs")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"nope","dataset_url":"train.csv"}}""", "job.model")]
    [InlineData("""{"cron":"0 3 1 * *"}""", "job")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv"},"promote":"if_better"}""", "holdout")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv"},"promote":"sometimes"}""", "promote")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv"},"holdout":"missing.csv"}""", "holdout")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv"},"continue_from":"oldest"}""", "continue_from")]
    [InlineData("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv"},"epochs":3}""", "epochs")]
    public async Task Create_Answers400NamingTheField_WhenTheScheduleIsInvalid(string body, string field)
    {
        var response = await Client.PostJson("/api/finetune/schedules", body);

        await response.AssertProblem(HttpStatusCode.BadRequest, field);
        Assert.Empty((await (await Client.GetAsync("/api/finetune/schedules")).Json()).GetProperty("schedules").EnumerateArray());
        Assert.Empty(RecurringJobs());
    }

    [Fact]
    public async Task RunNow_StartsAJobOnThisMonthsFile_AndRecordsItOnTheSchedule()
    {
        _folders.WriteCsv("frigo_2026-11.csv", 12);
        var id = (await Create("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"frigo_{yyyy-MM}.csv","epochs":2}}""")).GetProperty("id").GetString()!;

        var response = await Client.PostAsync($"/api/finetune/schedules/{id}/run", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await response.Json();
        var jobId = run.GetProperty("job_id").GetString()!;
        Assert.Equal("frigo_2026-11.csv", run.GetProperty("dataset").GetString());
        var job = Factory.Store.GetRequired(jobId);
        Assert.Equal(("schedule", id), (job.Source, job.Metadata["schedule_id"]));
        var spec = JsonDocument.Parse(job.SpecJson).RootElement;
        Assert.Equal(2, spec.GetProperty("options").GetProperty("epochs").GetInt32());
        Assert.Equal(id, spec.GetProperty("schedule_id").GetString());
        var schedule = await (await Client.GetAsync($"/api/finetune/schedules/{id}")).Json();
        Assert.Equal(jobId, schedule.GetProperty("last_job_id").GetString());
        Assert.Equal(Now, schedule.GetProperty("last_run_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task RunNow_Answers400AndRecordsTheError_WhenThisMonthsFileIsMissing()
    {
        var id = (await Create("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"frigo_{yyyy-MM}.csv"}}""")).GetProperty("id").GetString()!;

        var response = await Client.PostAsync($"/api/finetune/schedules/{id}/run", null);

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "dataset_url");
        Assert.Contains("frigo_2026-11.csv", problem.GetProperty("detail").GetString());
        var schedule = await (await Client.GetAsync($"/api/finetune/schedules/{id}")).Json();
        Assert.Contains("frigo_2026-11.csv", schedule.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task RunNow_ContinuesFromThePromotedLatest_WhenContinueFromIsLatest()
    {
        var id = (await Create("""{"cron":"0 3 1 * *","continue_from":"latest","job":{"model":"tiny","dataset_url":"train.csv"}}""")).GetProperty("id").GetString()!;
        var fromBase = await RunNowSpec(id);
        foreach (var name in new[] { "tiny-finetuned-20251101_030000", "tiny-finetuned-20251201_030000" })
            TestFolders.CopyDirectory(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase), Path.Combine(_folders.ModelsRoot, name));
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/api/finetune/models/tiny-finetuned-20251101_030000/promote", null)).StatusCode);

        var fromLatest = await RunNowSpec(id);

        Assert.Equal("tiny", fromBase.GetProperty("model").GetString());
        Assert.Equal("latest:tiny", fromLatest.GetProperty("model").GetString());
        Assert.EndsWith("tiny-finetuned-20251101_030000", fromLatest.GetProperty("model_path").GetString());
        Assert.Equal("tiny", fromLatest.GetProperty("base_model_name").GetString());
    }

    [Fact]
    public async Task Delete_RemovesScheduleAndRecurringJob_ThenAnswers404()
    {
        var id = (await Create("""{"cron":"0 3 1 * *","job":{"model":"tiny","dataset_url":"train.csv"}}""")).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/finetune/schedules/{id}")).StatusCode);

        Assert.Empty(RecurringJobs());
        await (await Client.GetAsync($"/api/finetune/schedules/{id}")).AssertProblem(HttpStatusCode.NotFound, "id");
        await (await Client.DeleteAsync($"/api/finetune/schedules/{id}")).AssertProblem(HttpStatusCode.NotFound, "id");
        await (await Client.PostAsync($"/api/finetune/schedules/{id}/run", null)).AssertProblem(HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task StartUp_RunsAMissedOccurrenceOnce_AndNotAgainOnTheNextStart()
    {
        // Stored before the service starts: every minute, last run 10 minutes ago (the service was down since).
        var scheduleId = StoreScheduleWithLastRun("* * * * *", Now.AddMinutes(-10));

        var jobs = ScheduleJobs(scheduleId);

        var job = Assert.Single(jobs);
        var schedule = await (await Client.GetAsync($"/api/finetune/schedules/{scheduleId}")).Json();
        Assert.Equal(Now, schedule.GetProperty("last_run_at").GetDateTimeOffset()); // the latest missed minute, 12:00
        Assert.Equal(job.Id, schedule.GetProperty("last_job_id").GetString());
        Restart();
        Assert.Single(ScheduleJobs(scheduleId));
    }

    [Fact]
    public void StartUp_RunsNothing_WhenTheLastOccurrenceAlreadyRan()
    {
        var scheduleId = StoreScheduleWithLastRun("0 3 1 * *", new DateTimeOffset(2026, 11, 1, 3, 0, 0, TimeSpan.Zero));

        Assert.Empty(ScheduleJobs(scheduleId));
    }

    private string StoreScheduleWithLastRun(string cron, DateTimeOffset lastRun)
    {
        using var store = new SqliteJobStore(Path.Combine(_folders.StateFolder, "jobs.db"));
        var template = """{"job":{"model":"tiny","dataset_url":"train.csv"},"promote":"always","base_model":"tiny"}""";
        var schedule = store.CreateSchedule("minutely", cron, "UTC", template);
        Assert.True(store.TryClaimRun(schedule.Id, null, lastRun.ToUnixTimeSeconds()));
        return schedule.Id;
    }

    private List<JobRecord> ScheduleJobs(string scheduleId)
    {
        _ = Client; // starts the service: its hosted services register the schedules and catch up
        return Factory.Store.List(new JobListQuery { Limit = 100, Metadata = new Dictionary<string, string> { ["schedule_id"] = scheduleId } }).Items.ToList();
    }

    private async Task<JsonElement> RunNowSpec(string id)
    {
        var run = await Client.PostAsync($"/api/finetune/schedules/{id}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var jobId = (await run.Json()).GetProperty("job_id").GetString()!;
        return JsonDocument.Parse(Factory.Store.GetRequired(jobId).SpecJson).RootElement.Clone();
    }

    private async Task<JsonElement> Create(string body)
    {
        var response = await Client.PostJson("/api/finetune/schedules", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Json();
    }

    private List<RecurringJobDto> RecurringJobs()
    {
        using var connection = Factory.Services.GetRequiredService<JobDispatcher>().Storage.GetConnection();
        return connection.GetRecurringJobs();
    }

    private ServerFactory NewFactory() =>
        new(_folders, new FakeExecutor(), replaceServices: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock)));

    private void Restart()
    {
        _client?.Dispose();
        _factory?.Dispose();
        _client = null;
        _factory = null;
    }

    public void Dispose()
    {
        Restart();
        _folders.Dispose();
    }
}
