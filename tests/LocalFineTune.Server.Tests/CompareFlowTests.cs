using System.Net;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>
/// Issue 16.2: POST /api/finetune/compare fine-tunes two bases (the tiny GPT-2 and a tiny phi) on one dataset, and
/// GET /api/finetune/compare/{id} reports both on the same held-out set, the best, and the same prompts answered by each.
/// </summary>
public sealed class CompareFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public CompareFlowTests()
    {
        TinyBases.CreatePhi(Path.Combine(_folders.ModelsRoot, "base", "phi"));
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Compare_TrainsEachBase_ThenReportsBothOnTheSameHeldOutSet_TheBest_AndSamples()
    {
        var started = await _client.PostJson("/api/finetune/compare",
            """{"models":["tiny","phi"],"dataset_url":"train.csv","epochs":1,"batch_size":4,"learning_rate":1e-3,"samples":2}""");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Json()).GetProperty("comparison_id").GetString()!;
        var first = await (await _client.GetAsync($"/api/finetune/compare/{id}")).Json();
        if (first.GetProperty("status").GetString() == "running") Assert.Equal("waiting", first.GetProperty("samples_status").GetString());

        var report = await WaitForCompletion(id, TimeSpan.FromSeconds(240));

        var rows = report.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["tiny", "phi"], rows.Select(r => r.GetProperty("model").GetString()));
        Assert.All(rows, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("eval_loss_after").GetDouble() < r.GetProperty("eval_loss_before").GetDouble()));
        Assert.All(rows, r => Assert.True(r.GetProperty("parameters").GetInt64() > 0 && r.GetProperty("folder_bytes").GetInt64() > 0));
        Assert.All(rows, r => Assert.Equal("full", r.GetProperty("method").GetString()));
        // The same held-out set: both evaluated on the same examples (token counts differ per tokenizer only if the
        // tokenizers differ; here both use GPT-2's, so the target counts agree exactly).
        Assert.Equal(EvalTargets(rows[0]), EvalTargets(rows[1]));
        var best = rows.MinBy(r => r.GetProperty("eval_loss_after").GetDouble())!.GetProperty("model").GetString();
        Assert.Equal(best, report.GetProperty("best").GetString());
        // The GET that first finds every job final starts the answers in the background rather than waiting for them.
        Assert.Equal("generating", report.GetProperty("samples_status").GetString());
        Assert.Empty(report.GetProperty("samples").EnumerateArray());

        var ready = await WaitForSamples(id, TimeSpan.FromSeconds(120));
        var samples = ready.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(2, samples.Count);
        Assert.All(samples, s => Assert.Equal(2, s.GetProperty("answers").EnumerateObject().Count()));

        var again = await (await _client.GetAsync($"/api/finetune/compare/{id}")).Json();
        Assert.Equal(ready.GetProperty("samples").ToString(), again.GetProperty("samples").ToString()); // computed once, then kept
    }

    [Fact]
    public async Task SamplesZero_ReportsNone_AndGeneratesNothing()
    {
        var started = await _client.PostJson("/api/finetune/compare",
            """{"models":["tiny","phi"],"dataset_url":"train.csv","epochs":1,"batch_size":4,"samples":0}""");
        var id = (await started.Json()).GetProperty("comparison_id").GetString()!;
        Assert.Equal("none", (await (await _client.GetAsync($"/api/finetune/compare/{id}")).Json()).GetProperty("samples_status").GetString());

        var report = await WaitForCompletion(id, TimeSpan.FromSeconds(240));

        Assert.Equal("none", report.GetProperty("samples_status").GetString());
        Assert.False(File.Exists(Path.Combine(_folders.StateFolder, "comparisons", id + ".samples.json")));
    }

    [Fact]
    public async Task ABadModelName_Answers400NamingItsIndex_AndStartsNoJob()
    {
        var response = await _client.PostJson("/api/finetune/compare", """{"models":["tiny","nope"],"dataset_url":"train.csv"}""");

        await response.AssertProblem(HttpStatusCode.BadRequest, "models[1]");
        Assert.Empty(_factory.Store.List(new LocalFineTune.Jobs.JobListQuery()).Items);
    }

    [Theory]
    [InlineData("""{"models":["tiny"],"dataset_url":"train.csv"}""", "models")]
    [InlineData("""{"models":["tiny","tiny"],"dataset_url":"train.csv"}""", "models")]
    [InlineData("""{"dataset_url":"train.csv"}""", "models")]
    [InlineData("""{"models":["tiny",3],"dataset_url":"train.csv"}""", "models[1]")]
    [InlineData("""{"models":["tiny","phi"],"dataset_url":"train.csv","samples":99}""", "samples")]
    public async Task InvalidRequests_Answer400NamingTheField(string body, string param) =>
        await (await _client.PostJson("/api/finetune/compare", body)).AssertProblem(HttpStatusCode.BadRequest, param);

    [Fact]
    public async Task UnknownComparison_Answers404() =>
        await (await _client.GetAsync("/api/finetune/compare/cmp-0123456789abcdef")).AssertProblem(HttpStatusCode.NotFound, "id");

    private static int EvalTargets(JsonElement row) => row.GetProperty("eval_history")[0].GetProperty("target_tokens").GetInt32();

    private async Task<JsonElement> WaitForCompletion(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var report = await (await _client.GetAsync($"/api/finetune/compare/{id}")).Json();
            if (report.GetProperty("status").GetString() == "completed") return report;
            Assert.True(DateTime.UtcNow < deadline, $"comparison not completed in {timeout}: {report}");
            await Task.Delay(250);
        }
    }

    private async Task<JsonElement> WaitForSamples(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var report = await (await _client.GetAsync($"/api/finetune/compare/{id}")).Json();
            var status = report.GetProperty("samples_status").GetString();
            if (status != "generating") return status == "ready" ? report : throw new Xunit.Sdk.XunitException($"samples {status}: {report}");
            Assert.True(DateTime.UtcNow < deadline, $"samples not ready in {timeout}: {report}");
            await Task.Delay(250);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
