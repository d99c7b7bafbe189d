using System.Net;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>The real executor end to end on a tiny random GPT-2: validation, training, cancel, output folders, generation.</summary>
public sealed class TrainingFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public TrainingFlowTests()
    {
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Start_TrainsToSucceeded_ThenModelIsListedAndGenerates()
    {
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"train.csv","epochs":1,"batch_size":4,"learning_rate":1e-3}""");

        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(120));

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        var modelPath = status.GetProperty("model_path").GetString()!;
        Assert.Matches(@"tiny-finetuned-\d{8}_\d{6}/$", modelPath);
        Assert.True(File.Exists(Path.Combine(Path.GetFullPath(modelPath), "model.safetensors")));
        Assert.True(status.GetProperty("eval_loss_before").GetDouble() > 0);
        Assert.True(status.GetProperty("eval_loss_after").GetDouble() > 0);
        Assert.Empty(Directory.EnumerateDirectories(_folders.ModelsRoot, ".*.partial"));
        var models = await (await _client.GetAsync("/api/finetune/models")).Json();
        Assert.True(models.GetProperty("models")[0].GetProperty("latest").GetBoolean());
        var generated = await _client.PostJson("/api/generate", """{"model":"latest","prompt":"Fridge","max_new_tokens":5,"temperature":0}""");
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        Assert.True((await generated.Json()).GetProperty("completion_tokens").GetInt32() >= 1);
    }

    [Fact]
    public async Task Start_FailsJobWithLocatedErrors_WhenDatasetIsInvalid()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"{{\"text\":\"note {i}\"}}").ToList();
        lines.Insert(2, "{not json");
        File.WriteAllLines(Path.Combine(_folders.DataRoot, "bad.jsonl"), lines);

        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"bad.jsonl"}""");
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(60));

        Assert.Equal("failed", status.GetProperty("status").GetString());
        var error = status.GetProperty("error");
        Assert.Equal("dataset_url", error.GetProperty("param").GetString());
        Assert.Contains("bad.jsonl line 3", error.GetProperty("message").GetString());
        Assert.Equal(1, status.GetProperty("attempt").GetInt32()); // validation was its one attempt (issue 12.11)
    }

    [Fact]
    public async Task Start_Answers400_WhenUrlHostResolvesToLoopback()
    {
        // The probe at creation connects through the same checked connect as the download (issue 12.10).
        var response = await _client.PostJson("/api/finetune/start", """{"model":"tiny","dataset_url":"http://localhost:9/data.csv"}""");

        var problem = await response.AssertProblem(System.Net.HttpStatusCode.BadRequest, "dataset_url");
        Assert.Contains("loopback", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Cancel_StopsRealTraining_AndLeavesNoModelFolder()
    {
        _folders.WriteCsv("big.csv", 300);
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"big.csv","epochs":20,"batch_size":1,"save_steps":3}""");
        await WaitForStep(jobId, 1);

        await _client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(60));

        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        Assert.Empty(Directory.EnumerateDirectories(_folders.ModelsRoot, "tiny-finetuned-*"));
        Assert.Empty(Directory.EnumerateDirectories(_folders.ModelsRoot, ".*"));
    }

    [Fact]
    public async Task Cancel_StopsJob_WhenRequestedTheMomentItStartsRunning()
    {
        _folders.WriteCsv("big.csv", 300);
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"big.csv","epochs":20,"batch_size":1}""");
        await _client.WaitForStatus(jobId, s => s == "running", TimeSpan.FromSeconds(60));

        var cancel = await _client.PostAsync($"/api/finetune/jobs/{jobId}/cancel", null);
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
    }

    private async Task WaitForStep(string jobId, int step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var status = await (await _client.GetAsync($"/api/finetune/status/{jobId}")).Json();
            if (status.TryGetProperty("step", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.Number && s.GetInt64() >= step) return;
            Assert.False(Api.IsFinal(status.GetProperty("status").GetString()!), $"job ended early: {status}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {jobId} did not reach step {step}");
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
