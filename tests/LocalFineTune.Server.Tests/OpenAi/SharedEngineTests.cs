using System.Net;
using System.Text;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>/v1 and /api/finetune share one store, worker and state machine: each API sees the other's jobs.</summary>
public sealed class SharedEngineTests : IDisposable
{
    private readonly OpenAiTestServer _server = new();
    private readonly HttpClient _client;

    public SharedEngineTests() => _client = _server.CreateClient();

    [Fact]
    public async Task V1Job_ShowsInApiFinetuneStatus_WhenCreatedThroughV1()
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var created = await (await _client.PostJson("/v1/fine_tuning/jobs",
            $$"""{"model":"tiny","training_file":"{{file}}","metadata":{"team":"fridge"},"hyperparameters":{"n_epochs":1} }""")).Body();
        var id = created.GetProperty("id").GetString()!;
        foreach (var field in new[] { "id", "object", "created_at", "finished_at", "status", "model", "fine_tuned_model", "training_file", "validation_file",
                     "hyperparameters", "method", "trained_tokens", "result_files", "error", "seed", "estimated_finish", "metadata", "organization_id", "integrations" })
            Assert.True(created.TryGetProperty(field, out _), $"job object lacks '{field}': {created}");

        var status = await (await _client.GetAsync($"/api/finetune/status/{id}")).Body();
        Assert.Equal(id, status.GetProperty("job_id").GetString());
        var done = await _client.WaitForJob(id, s => s is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("succeeded", (await (await _client.GetAsync($"/api/finetune/status/{id}")).Body()).GetProperty("status").GetString());
        var filtered = await (await _client.GetAsync("/v1/fine_tuning/jobs?metadata[team]=fridge&limit=5")).Body();
        Assert.Equal(id, filtered.GetProperty("data")[0].GetProperty("id").GetString());
        var none = await (await _client.GetAsync("/v1/fine_tuning/jobs?metadata[team]=other")).Body();
        Assert.Equal(0, none.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ApiFinetuneJob_ShowsInV1Jobs_WhenStartedThroughSeedApi()
    {
        File.WriteAllText(Path.Combine(_server.Root, "data", "train.csv"), "text\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"Fridge {i} hums.\n")));
        var started = await _client.PostAsync("/api/finetune/start", new StringContent("""{"model":"tiny","dataset_url":"train.csv","epochs":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Body()).GetProperty("job_id").GetString()!;
        var job = await (await _client.GetAsync($"/v1/fine_tuning/jobs/{id}")).Body();
        Assert.Equal("fine_tuning.job", job.GetProperty("object").GetString());
        Assert.Equal("train.csv", job.GetProperty("training_file").GetString());
        var list = await (await _client.GetAsync("/v1/fine_tuning/jobs")).Body();
        Assert.Contains(list.GetProperty("data").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        var done = await _client.WaitForJob(id, s => s is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var model = done.GetProperty("fine_tuned_model").GetString()!;
        var completion = await (await _client.PostJson("/v1/completions", $$"""{"model":"{{model}}","prompt":"Fridge","max_tokens":3,"temperature":0}""")).Body();
        Assert.Equal("text_completion", completion.GetProperty("object").GetString());
    }

    [Fact]
    public async Task V1Job_ValidatesAndEvaluatesOnTheValidationFile_WhenOneIsGiven()
    {
        var training = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var validation = await _client.Upload(OpenAiTestServer.ChatJsonl(5), "valid.jsonl");
        var created = await (await _client.PostJson("/v1/fine_tuning/jobs",
            $$"""{"model":"tiny","training_file":"{{training}}","validation_file":"{{validation}}","hyperparameters":{"n_epochs":1} }""")).Body();
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(validation, created.GetProperty("validation_file").GetString());
        var done = await _client.WaitForJob(id, s => s is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var events = await (await _client.GetAsync($"/api/finetune/jobs/{id}/events?order=asc&limit=100")).Body();
        Assert.Contains(events.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("message").GetString()!.Contains("12 training and 5 validation examples"));
    }

    public void Dispose() => _server.Dispose();
}
