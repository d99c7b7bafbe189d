using System.Net;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

public sealed class JobsEndpointTests : IDisposable
{
    private const string Body = """{"model":"tiny","dataset_url":"train.csv"}""";
    private readonly TestFolders _folders = new();
    private ServerFactory? _factory;

    private HttpClient Client(bool blockingExecutor = false)
    {
        _factory = new ServerFactory(_folders, new FakeExecutor(blockingExecutor));
        return _factory.CreateClient();
    }

    [Fact]
    public async Task Status_ReportsSucceededWithModelPath_WhenExecutorFinishes()
    {
        var client = Client();
        var jobId = await client.StartJob(Body);

        var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(20));

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(1.0, status.GetProperty("progress").GetDouble());
        Assert.Equal("models/tiny-finetuned-20250101_000000/", status.GetProperty("model_path").GetString());
        Assert.Equal(jobId, status.GetProperty("job_id").GetString());
        Assert.NotEqual(default, status.GetProperty("finished_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Status_Answers404Problem_WhenJobIsUnknown()
    {
        var response = await Client().GetAsync("/api/finetune/status/ftjob-doesnotexist");

        await response.AssertProblem(HttpStatusCode.NotFound, "job_id");
    }

    [Fact]
    public async Task List_FiltersByStatus_WithCompletedAsAliasOfSucceeded()
    {
        var client = Client();
        var first = await client.StartJob(Body);
        await client.WaitForStatus(first, Api.IsFinal, TimeSpan.FromSeconds(20));

        var completed = await (await client.GetAsync("/api/finetune/jobs?status=completed")).Json();
        var failed = await (await client.GetAsync("/api/finetune/jobs?status=failed")).Json();

        Assert.Equal(first, completed.GetProperty("jobs")[0].GetProperty("job_id").GetString());
        Assert.Equal("succeeded", completed.GetProperty("jobs")[0].GetProperty("status").GetString());
        Assert.Equal(0, failed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task List_PagesNewestFirst_WithAfterAndLimit()
    {
        var client = Client(blockingExecutor: true);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await client.StartJob(Body));

        var page1 = await (await client.GetAsync("/api/finetune/jobs?limit=2")).Json();
        var last = page1.GetProperty("jobs")[1].GetProperty("job_id").GetString();
        var page2 = await (await client.GetAsync($"/api/finetune/jobs?limit=2&after={last}")).Json();

        Assert.True(page1.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[2], page1.GetProperty("jobs")[0].GetProperty("job_id").GetString());
        Assert.Equal(ids[0], page2.GetProperty("jobs")[0].GetProperty("job_id").GetString());
        Assert.False(page2.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("?status=done", "status")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?after=ftjob-nope", "after")]
    public async Task List_Answers400_WhenQueryIsInvalid(string query, string param)
    {
        var response = await Client().GetAsync("/api/finetune/jobs" + query);

        await response.AssertProblem(HttpStatusCode.BadRequest, param);
    }

    [Fact]
    public async Task Cancel_StopsRunningJob_AndSecondCancelAnswers409()
    {
        var client = Client(blockingExecutor: true);
        var jobId = await client.StartJob(Body);
        await client.WaitForStatus(jobId, s => s == "running", TimeSpan.FromSeconds(20));

        var cancel = await client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);
        var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(20));
        var again = await client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        await again.AssertProblem(HttpStatusCode.Conflict, "job_id");
    }

    [Fact]
    public async Task Cancel_CancelsQueuedJob_AtOnce()
    {
        var client = Client(blockingExecutor: true);
        var running = await client.StartJob(Body);
        await client.WaitForStatus(running, s => s == "running", TimeSpan.FromSeconds(20));
        var queued = await client.StartJob(Body);
        await client.WaitForStatus(queued, s => s == "queued", TimeSpan.FromSeconds(20));

        var cancel = await (await client.PostAsync($"/api/finetune/jobs/{queued}/cancel", null)).Json();

        Assert.Equal("cancelled", cancel.GetProperty("status").GetString());
        Assert.Equal("running", (await (await client.GetAsync($"/api/finetune/status/{running}")).Json()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancel_Answers404_WhenJobIsUnknown()
    {
        var response = await Client().PostAsync("/api/finetune/jobs/ftjob-unknown/cancel", null);

        await response.AssertProblem(HttpStatusCode.NotFound, "job_id");
    }

    [Fact]
    public async Task Events_ListsLogAndMetricEvents_InBothOrders()
    {
        var client = Client();
        var jobId = await client.StartJob(Body);
        await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(20));

        var newest = await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events")).Json();
        var oldest = await (await client.GetAsync($"/api/finetune/jobs/{jobId}/events?order=asc&limit=1")).Json();

        var events = newest.GetProperty("events");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "metrics"
            && e.GetProperty("data").GetProperty("train_loss").GetDouble() == 2.5);
        Assert.Contains("completed", events[0].GetProperty("message").GetString());
        Assert.True(oldest.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Events_StreamsServerSentEvents_UntilJobIsFinal()
    {
        var client = Client();
        var jobId = await client.StartJob(Body);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/finetune/jobs/{jobId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("event: job_event", text);
        Assert.Contains("event: progress", text);
        Assert.Contains("\"status\":\"succeeded\"", text);
    }

    [Fact]
    public async Task Events_Answers404_WhenJobIsUnknown()
    {
        var response = await Client().GetAsync("/api/finetune/jobs/ftjob-unknown/events");

        await response.AssertProblem(HttpStatusCode.NotFound, "job_id");
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _folders.Dispose();
    }
}
