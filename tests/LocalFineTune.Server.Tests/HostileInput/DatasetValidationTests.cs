using System.Net;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests.HostileInput;

/// <summary>
/// Class 3 of issue 18 (one upload blocked every later job), over HTTP with the real executor: a cancel reaches the
/// validator and frees it for the next job, validation has a time bound, an over-long example fails fast naming its
/// line and the limit, and by default two datasets are validated at once.
/// </summary>
public sealed class DatasetValidationTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly List<IDisposable> _owned = [];

    private HttpClient Start(Dictionary<string, string?>? overrides = null)
    {
        var factory = new ServerFactory(_folders, overrides: overrides);
        _owned.Add(factory);
        return factory.CreateClient();
    }

    private EndlessDataset Endless(string name)
    {
        var dataset = new EndlessDataset(Path.Combine(_folders.DataRoot, name));
        _owned.Add(dataset);
        return dataset;
    }

    private static string Body(string dataset) => $$"""{"model":"tiny","dataset_url":"{{dataset}}","epochs":1,"batch_size":4}""";

    [Fact]
    public async Task CancelDuringValidation_StopsTheValidator_SoTheNextJobValidatesAndSucceeds()
    {
        // One validator only: the normal job can validate only once the hostile one has really let go of it.
        var client = Start(new() { ["LocalFineTune:Validation:Concurrency"] = "1" });
        var hostile = Endless("hostile.jsonl");
        var hostileJob = await client.StartJob(Body("hostile.jsonl"));
        await hostile.Opened.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var cancel = await client.PostAsync($"/api/finetune/jobs/{hostileJob}/cancel", null);
        var normalJob = await client.StartJob(Body("train.csv"));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await hostile.ReaderClosed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var normal = await client.WaitForStatus(normalJob, Api.IsFinal, TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", normal.GetProperty("status").GetString());
        var cancelled = await client.WaitForStatus(hostileJob, Api.IsFinal, TimeSpan.FromSeconds(10));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SlowValidation_FailsTheJobWithValidationTimeout_NamingTheSetting()
    {
        var client = Start(new() { ["LocalFineTune:Validation:TimeoutSeconds"] = "0.5" });
        var hostile = Endless("slow.jsonl");

        var jobId = await client.StartJob(Body("slow.jsonl"));
        var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(60));

        Assert.Equal("failed", status.GetProperty("status").GetString());
        var error = status.GetProperty("error");
        Assert.Equal("validation_timeout", error.GetProperty("code").GetString());
        Assert.Contains("longer than 0.5 s (LocalFineTune:Validation:TimeoutSeconds)", error.GetProperty("message").GetString());
        await hostile.ReaderClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ExampleOverTheDefaultLimit_FailsTheJob_NamingTheLineTheLimitAndItsKey()
    {
        // The dataset: a 100,000-letter word on every line. Refused before parsing or tokenizing any of them.
        var word = new string('x', 100_000);
        File.WriteAllLines(Path.Combine(_folders.DataRoot, "words.jsonl"), Enumerable.Range(1, 20).Select(i =>
            JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = $"q{i} {word}" }, new { role = "assistant", content = "a" } } })));
        var client = Start();

        var jobId = await client.StartJob(Body("words.jsonl"));
        var status = await client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(60));

        Assert.Equal("failed", status.GetProperty("status").GetString());
        var error = status.GetProperty("error");
        Assert.Equal("example_too_long", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("(20 error(s))", message);
        Assert.Contains("words.jsonl line 1: example 1 is 100,0", message);
        Assert.Contains("over the limit of 100,000 characters per example (LocalFineTune:Validation:MaxExampleCharacters)", message);
    }

    [Fact]
    public async Task TwoDatasets_AreValidatedAtOnce_ByDefault()
    {
        var client = Start();
        var first = Endless("first.jsonl");
        var second = Endless("second.jsonl");

        var jobs = new[] { await client.StartJob(Body("first.jsonl")), await client.StartJob(Body("second.jsonl")) };

        // Each pipe opens only when a validator reads it: both open while neither can ever finish.
        await Task.WhenAll(first.Opened.Task, second.Opened.Task).WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var job in jobs) await client.PostAsync($"/api/finetune/jobs/{job}/cancel", null);
        await Task.WhenAll(first.ReaderClosed.Task, second.ReaderClosed.Task).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        // Servers first (they stop their validators), then the pipes, then the folders.
        foreach (var owned in _owned.OfType<ServerFactory>()) owned.Dispose();
        foreach (var owned in _owned.OfType<EndlessDataset>()) owned.Dispose();
        _folders.Dispose();
    }
}
