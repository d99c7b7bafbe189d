using System.Net;
using LocalFineTune.Server.OpenAi.Inference;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>Streaming format, overload (429, never 500) and client disconnects, with a generator that the test controls.</summary>
public sealed class InferenceLimitTests : IDisposable
{
    private readonly BlockingGenerator _generator = new();
    private readonly OpenAiTestServer _server;
    private readonly HttpClient _client;

    public InferenceLimitTests()
    {
        _server = new OpenAiTestServer(new Dictionary<string, string?>
        {
            ["LocalFineTune:OpenAi:MaxConcurrentGenerations"] = "1",
            ["LocalFineTune:OpenAi:MaxQueuedGenerations"] = "0",
        }, _generator);
        _client = _server.CreateClient();
    }

    [Fact]
    public async Task Completions_Answers429RateLimit_WhenAllSlotsAreBusy()
    {
        var first = _client.PostJson("/v1/completions", """{"model":"tiny","prompt":"a"}""");
        await _generator.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await _client.PostJson("/v1/chat/completions", """{"model":"tiny","messages":[{"role":"user","content":"hi"}]}""");
        var error = await second.AssertOpenAiError(HttpStatusCode.TooManyRequests, null, "server_busy");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        _generator.Release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
    }

    [Fact]
    public async Task ChatStream_StopsGeneration_WhenClientDisconnects()
    {
        using var cts = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"tiny","stream":true,"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await _generator.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        response.Dispose();
        Assert.True(await _generator.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ChatStream_SendsOpenAiChunksEndingWithDone_WhenStreamIsTrue()
    {
        _generator.Release.SetResult();
        var response = await _client.PostJson("/v1/chat/completions",
            """{"model":"tiny","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", lines[^1]);
        Assert.Contains("\"object\":\"chat.completion.chunk\"", lines[0]);
        Assert.Contains("\"role\":\"assistant\"", lines[0]);
        Assert.Contains(lines, l => l.Contains("\"content\":\"piece\""));
        Assert.Contains(lines, l => l.Contains("\"finish_reason\":\"stop\""));
        Assert.Contains("\"total_tokens\":5", lines[^2]);
    }

    public void Dispose()
    {
        _generator.Release.TrySetResult();
        _server.Dispose();
    }

    /// <summary>Emits one piece, then waits for Release (or the request's cancellation).</summary>
    private sealed class BlockingGenerator : IChatGenerator, IGenerationRun
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IGenerationRun> StartAsync(string modelPath, CancellationToken cancellation) => Task.FromResult<IGenerationRun>(this);

        public async Task<TextResult> GenerateAsync(TextRequest request, Func<string, Task> onPiece, CancellationToken cancellation)
        {
            await onPiece("piece");
            Started.TrySetResult();
            try
            {
                await Release.Task.WaitAsync(cancellation);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }
            return new TextResult("piece", 3, 2, "stop");
        }

        public void Dispose()
        {
        }
    }
}
