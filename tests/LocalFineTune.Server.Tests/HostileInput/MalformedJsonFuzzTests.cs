using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Server.Endpoints;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Server.Tests.OpenAi;

namespace LocalFineTune.Server.Tests.HostileInput;

/// <summary>
/// Class 1 of issue 18 (500 instead of 400): every JSON endpoint of both surfaces gets malformed bodies (bad escapes,
/// lone surrogates in values and names, invalid UTF-8, truncation, deep nesting) and, for every field of its schema,
/// values of every wrong type (non-numeric strings, huge numbers, objects, arrays...). Each answer must be a 2xx or a
/// 4xx with a JSON error body in the surface's shape; the server must be healthy afterwards.
/// </summary>
public sealed class MalformedJsonFuzzTests : IDisposable
{
    private const string Marker = "__fuzz_value__";
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public MalformedJsonFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        // The generators answer at once: this test is about reading requests; the model is not what it exercises.
        _factory = new ServerFactory(_folders, new FakeExecutor(), replaceServices: InstantGenerators.Register);
        _client = _factory.CreateClient();
    }

    /// <summary>Raw JSON values that are the wrong type or out of any range for most fields.</summary>
    private static readonly string[] HostileValues =
    [
        "\"three\"", "\"NaN\"", "\"auto\"", "\"\\ud800\"", "\"tail \\udfff\"", "\"\"", "\"\\u0000\"", "1e400", "-1e400",
        "123456789012345678901234567890", "-1", "0", "1.5", "true", "null", "[]", "[1,\"x\"]", "{}", "{\"a\":{\"b\":1}}",
        new string('[', 40) + new string(']', 40), "\"" + new string('w', 5000) + "\"",
    ];

    /// <summary>Whole bodies that are not valid JSON, or hold text that cannot be read.</summary>
    private static readonly byte[][] BrokenBodies =
    [
        "{\"model\": \"\\x\"}"u8.ToArray(), "{\"model\": \"\\u12\"}"u8.ToArray(), "{\"model\": \"tiny\""u8.ToArray(),
        "{\"\\ud800\": 1}"u8.ToArray(), "{\"model\": \"\\ud800\"}"u8.ToArray(), "{\"model\": \"a\\udc00b\"}"u8.ToArray(),
        [.. "{\"model\": \""u8, 0xC3, 0x28, .. "\"}"u8], [.. "{\"model\": \""u8, 0xFF, 0xFE, .. "\"}"u8], [.. "{\""u8, 0xED, 0xA0, 0x80, .. "\": 1}"u8],
        Encoding.UTF8.GetBytes(new string('[', 10_000)), Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 65) + new string(']', 65) + "}"),
        "1e99999"u8.ToArray(), "[]"u8.ToArray(), "\"text\""u8.ToArray(), ""u8.ToArray(), "{,}"u8.ToArray(), "{'model': 'tiny'}"u8.ToArray(),
    ];

    [Fact]
    public async Task EveryJsonEndpoint_Answers4xxWithJsonError_WhenBodyOrAnyFieldIsMalformed()
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var failures = new List<string>();
        foreach (var endpoint in Endpoints(file))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var body in BrokenBodies) await Send(endpoint, body, "broken body", failures);
            foreach (var field in endpoint.Fields)
            {
                foreach (var value in HostileValues) await Send(endpoint, Mutate(endpoint.ValidBody, field, value), $"{field} = {Short(value)}", failures);
                await Send(endpoint, AddLoneSurrogateName(endpoint.ValidBody, field), $"lone surrogate name next to {field}", failures);
            }
            _output.WriteLine($"{endpoint.Url}: {clock.ElapsedMilliseconds} ms");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} answers were not a JSON 4xx/2xx:\n" + string.Join("\n", failures.Take(40)));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/v1/completions", """{"model":"tiny","prompt":"ok","max_tokens":1}""")).StatusCode);
    }

    private sealed record Endpoint(string Url, string ValidBody, IReadOnlyList<string> Fields)
    {
        public bool OpenAi => Url.StartsWith("/v1", StringComparison.Ordinal);
    }

    /// <summary>Every schema field: the seed API's from its documented request records, /v1's as OpenAI defines them.</summary>
    private static IEnumerable<Endpoint> Endpoints(string file)
    {
        yield return new("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv","epochs":1}""", FieldsOf(typeof(StartRequestDoc)));
        yield return new("/api/generate", """{"model":"tiny","prompt":"hello","max_new_tokens":2}""", FieldsOf(typeof(GenerateRequestDoc)));
        yield return new("/v1/fine_tuning/jobs", $$"""{"model":"tiny","training_file":"{{file}}"}""",
        [
            "model", "training_file", "validation_file", "suffix", "seed", "metadata", "metadata.k", "hyperparameters",
            "hyperparameters.n_epochs", "hyperparameters.batch_size", "hyperparameters.learning_rate_multiplier", "method", "method.type",
            "method.supervised", "method.supervised.hyperparameters", "method.supervised.hyperparameters.n_epochs",
            "method.supervised.hyperparameters.batch_size", "method.supervised.hyperparameters.learning_rate_multiplier",
        ]);
        yield return new("/v1/chat/completions", """{"model":"tiny","max_tokens":2,"messages":[{"role":"user","content":"hi"}]}""",
        [
            "model", "messages", "messages[0]", "messages[0].role", "messages[0].content", "messages[0].content[0]", "messages[0].content[0].type",
            "messages[0].content[0].text", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop", "stop[0]", "seed",
            "stream", "stream_options", "stream_options.include_usage",
        ]);
        yield return new("/v1/completions", """{"model":"tiny","prompt":"hi","max_tokens":2}""",
            ["model", "prompt", "prompt[0]", "max_tokens", "temperature", "top_p", "n", "stop", "stop[0]", "seed", "stream", "stream_options"]);
    }

    private static IReadOnlyList<string> FieldsOf(Type doc) =>
        doc.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToList();

    private async Task Send(Endpoint endpoint, byte[] body, string what, List<string> failures)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync(endpoint.Url, content);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300) return;
        if (status is < 400 or >= 500 || !HasErrorBody(text, endpoint.OpenAi))
        {
            failures.Add($"{endpoint.Url} [{what}] -> {status}: {Short(text)}");
        }
    }

    private static bool HasErrorBody(string text, bool openAi)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var message = openAi ? doc.RootElement.GetProperty("error").GetProperty("message") : doc.RootElement.GetProperty("detail");
            return message.GetString() is { Length: > 0 and <= 2000 };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The valid body with the value at <paramref name="path"/> (created if absent) replaced by raw JSON text.</summary>
    private static byte[] Mutate(string validBody, string path, string rawValue)
    {
        var root = JsonNode.Parse(validBody)!;
        Set(root, path, Marker);
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace($"\"{Marker}\"", rawValue));
    }

    private static byte[] AddLoneSurrogateName(string validBody, string path)
    {
        var root = JsonNode.Parse(validBody)!;
        Set(root, path, Marker);
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace($"\"{Marker}\"", "{\"x\\ud800\":1}"));
    }

    /// <summary>Walks "a.b[0].c", creating objects and arrays on the way so that nested fields can be sent too.</summary>
    private static void Set(JsonNode root, string path, string value)
    {
        var parts = path.Replace("[", ".[").Split('.', StringSplitOptions.RemoveEmptyEntries);
        var node = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var nextIsIndex = !last && parts[i + 1].StartsWith('[');
            JsonNode Fresh() => nextIsIndex ? new JsonArray() : new JsonObject();
            if (parts[i].StartsWith('['))
            {
                var array = node as JsonArray ?? throw new InvalidOperationException($"{path}: not an array at {parts[i]}");
                var index = int.Parse(parts[i].Trim('[', ']'));
                while (array.Count <= index) array.Add(Fresh());
                if (last) array[index] = value;
                else if (array[index] is not (JsonObject or JsonArray)) array[index] = Fresh();
                node = array[index]!;
            }
            else
            {
                var obj = node as JsonObject ?? throw new InvalidOperationException($"{path}: not an object at {parts[i]}");
                if (last) obj[parts[i]] = value;
                else if (obj[parts[i]] is not (JsonObject or JsonArray)) obj[parts[i]] = Fresh();
                node = obj[parts[i]]!;
            }
        }
    }

    private static string Short(string text) => text.Length <= 160 ? text : text[..160] + "…";

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
