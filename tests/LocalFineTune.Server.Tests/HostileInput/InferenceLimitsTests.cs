using System.Net;
using System.Text;
using LocalFineTune.Server.OpenAi.Inference;
using LocalFineTune.Server.Tests.OpenAi;

namespace LocalFineTune.Server.Tests.HostileInput;

/// <summary>
/// Class 2 of issue 18 (requests that ran for hours): each limit a client controls is a 400 naming the limit, its
/// configuration key and value; a client that leaves while its prompt is being tokenized frees the generation slot.
/// The generator counts one token per character and, for prompts over 1,000 characters, tokenizes until cancelled:
/// the disconnect is then certain to land in the tokenization phase, however fast the machine.
/// </summary>
public sealed class InferenceLimitsTests : IDisposable
{
    private readonly SlowTokenizingGenerator _generator = new();
    private readonly OpenAiTestServer _server;
    private readonly HttpClient _client;

    public InferenceLimitsTests()
    {
        _server = new OpenAiTestServer(new Dictionary<string, string?>
        {
            ["LocalFineTune:OpenAi:MaxConcurrentGenerations"] = "1",
            // One waiter: the next request waits for the slot, so a slot never released shows as a hang, not a 429.
            ["LocalFineTune:OpenAi:MaxQueuedGenerations"] = "1",
            ["LocalFineTune:OpenAi:MaxPromptCharacters"] = "300000",
            ["LocalFineTune:OpenAi:MaxPromptTokens"] = "400",
        }, _generator);
        _client = _server.CreateClient();
    }

    private static string Chat(string content) => $$"""{"model":"tiny","messages":[{"role":"user","content":"{{content}}"}]}""";

    public static TheoryData<string, string, string, string> Limits() => new()
    {
        { "/v1/completions", $$"""{"model":"tiny","prompt":[{{string.Join(",", Enumerable.Repeat("\"a\"", 17))}}]}""", "prompt", "LocalFineTune:OpenAi:MaxPromptsPerRequest). " },
        { "/v1/completions", """{"model":"tiny","prompt":"a","n":9}""", "n", "at most 8 (LocalFineTune:OpenAi:MaxChoices)" },
        { "/v1/chat/completions", $$"""{"model":"tiny","messages":[{{string.Join(",", Enumerable.Repeat("""{"role":"user","content":"a"}""", 257))}}]}""", "messages", "at most 256 (LocalFineTune:OpenAi:MaxMessages)" },
        { "/v1/completions", """{"model":"tiny","prompt":"a","stop":["1","2","3","4","5"]}""", "stop", "at most 4 (LocalFineTune:OpenAi:MaxStopSequences)" },
        { "/v1/completions", $$"""{"model":"tiny","prompt":"a","stop":["{{new string('s', 257)}}"]}""", "stop", "at most 256 (LocalFineTune:OpenAi:MaxStopSequenceLength)" },
        { "/v1/completions", $$"""{"model":"tiny","prompt":"{{new string('c', 300_001)}}"}""", "prompt", "at most 300000 (LocalFineTune:OpenAi:MaxPromptCharacters)" },
        { "/v1/completions", $$"""{"model":"tiny","prompt":[{{string.Join(",", Enumerable.Repeat($"\"{new string('t', 50)}\"", 9))}}]}""", "prompt", "at most 400 (LocalFineTune:OpenAi:MaxPromptTokens)" },
        { "/v1/completions", """{"model":"tiny","prompt":"a","max_tokens":2049}""", "max_tokens", "Use 1 to 2048 (LocalFineTune:OpenAi:MaxTokensLimit)" },
        { "/v1/chat/completions", Chat(new string('w', 70)), "messages", "this model's context is 64 tokens" },
        { "/v1/completions", """{"model":"tiny","prompt":"hello","max_tokens":60}""", "max_tokens", "exceed this model's context of 64 tokens" },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task EachLimit_Answers400NamingTheLimitAndItsKey(string url, string body, string param, string named)
    {
        var response = await _client.PostJson(url, body);

        var error = await response.AssertOpenAiError(HttpStatusCode.BadRequest, param);
        Assert.Contains(named, error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/v1/chat/completions", Chat("hi"))).StatusCode);
    }

    [Fact]
    public async Task DisconnectDuringTokenization_ReleasesTheSlot_SoTheNextRequestIsServed()
    {
        using var leave = new CancellationTokenSource();
        var hostile = _client.PostAsync("/v1/chat/completions",
            new StringContent(Chat(new string('x', 200_000)), Encoding.UTF8, "application/json"), leave.Token);
        await _generator.TokenizingLongPrompt.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await leave.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hostile);
        Assert.True(await _generator.TokenizationCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var next = await _client.PostJson("/v1/chat/completions", Chat("hi")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private sealed class SlowTokenizingGenerator : IChatGenerator, IGenerationRun
    {
        public TaskCompletionSource TokenizingLongPrompt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<bool> TokenizationCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int? ContextLength => 64;

        public Task<IGenerationRun> StartAsync(string modelPath, CancellationToken cancellation) => Task.FromResult<IGenerationRun>(this);

        public async Task<int?> CountTokensAsync(string text, CancellationToken cancellation)
        {
            if (text.Length <= 1_000) return text.Length;
            TokenizingLongPrompt.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellation);
            }
            catch (OperationCanceledException)
            {
                TokenizationCancelled.TrySetResult(true);
                throw;
            }
            return text.Length;
        }

        public async Task<TextResult> GenerateAsync(TextRequest request, Func<string, Task> onPiece, CancellationToken cancellation)
        {
            await onPiece("ok");
            return new TextResult("ok", 1, 1, "stop");
        }

        public void Dispose()
        {
        }
    }
}
