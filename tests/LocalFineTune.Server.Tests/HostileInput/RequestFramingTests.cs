using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LocalFineTune.Server.Problems;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Server.Tests.OpenAi;

namespace LocalFineTune.Server.Tests.HostileInput;

/// <summary>
/// Class 4 of issue 18 (limits that did not hold), in memory: /v1 takes JSON bodies only as application/json (415
/// otherwise, like /api/finetune), no CORS header invites other origins, multipart mistakes are 400s, uploaded names
/// are reduced to a safe base name, and errors never echo a huge value in full.
/// </summary>
public sealed class RequestFramingTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public RequestFramingTests()
    {
        _factory = new ServerFactory(_folders, new FakeExecutor(), replaceServices: InstantGenerators.Register);
        _client = _factory.CreateClient();
    }

    [Theory]
    [InlineData("/v1/chat/completions", "text/plain")]
    [InlineData("/v1/chat/completions", "text/csv")]
    [InlineData("/v1/chat/completions", "application/x-www-form-urlencoded")]
    [InlineData("/v1/completions", "multipart/form-data; boundary=x")]
    [InlineData("/v1/fine_tuning/jobs", "text/plain")]
    [InlineData("/v1/fine_tuning/jobs", null)]
    public async Task V1JsonEndpoints_Answer415_WhenContentTypeIsNotJson(string url, string? contentType)
    {
        var content = new ByteArrayContent("""{"model":"tiny","prompt":"hi","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray());
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await _client.PostAsync(url, content);

        await response.AssertOpenAiError(HttpStatusCode.UnsupportedMediaType, "Content-Type", "unsupported_media_type");
    }

    [Fact]
    public async Task V1Completions_Answers200_WhenContentTypeIsJsonWithCharset()
    {
        var response = await _client.PostAsync("/v1/completions", new StringContent("""{"model":"tiny","prompt":"hi"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/v1/chat/completions")]
    [InlineData("OPTIONS", "/v1/chat/completions")]
    [InlineData("OPTIONS", "/api/finetune/start")]
    [InlineData("GET", "/v1/models")]
    public async Task AnyRoute_SendsNoCorsHeaders_WhenAnotherOriginAsks(string method, string url)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        if (method == "POST") request.Content = new StringContent("""{"model":"tiny","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "text/plain");

        var response = await _client.SendAsync(request);

        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        if (method == "POST") Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Upload_Answers400InvalidMultipart_WhenBoundaryDoesNotMatchBody()
    {
        var content = new ByteArrayContent("--other\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n--other--\r\n"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=expected");

        var response = await _client.PostAsync("/v1/files", content);

        await response.AssertOpenAiError(HttpStatusCode.BadRequest, null, "invalid_multipart");
    }

    [Fact]
    public async Task Upload_Answers400InvalidMultipart_WhenBodyIsCutBeforeClosingBoundary()
    {
        var body = "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n--b\r\n" +
            "Content-Disposition: form-data; name=\"file\"; filename=\"t.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\n{\"prompt\":\"a\",\"completion\":\"b\"}\n";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        var response = await _client.PostAsync("/v1/files", content);

        await response.AssertOpenAiError(HttpStatusCode.BadRequest, null, "invalid_multipart");
    }

    [Theory]
    [InlineData("..\\..\\x.jsonl", "x.jsonl")]
    [InlineData("../../etc/x.jsonl", "x.jsonl")]
    [InlineData("C:\\Users\\me\\train.jsonl", "train.jsonl")]
    [InlineData("a\u0001b\u001b[31m.jsonl", "ab[31m.jsonl")]
    [InlineData("..jsonl.jsonl", "jsonl.jsonl")]
    public async Task Upload_KeepsSafeBaseName_WhenFileNameHasPathsOrControlCharacters(string sent, string kept)
    {
        var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(OpenAiTestServer.ChatJsonl(10)));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileNameStar = sent };
        form.Add(file);

        var response = await _client.PostAsync("/v1/files", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var uploaded = await response.Body();
        Assert.Equal(kept, uploaded.GetProperty("filename").GetString());
        var download = await _client.GetAsync($"/v1/files/{uploaded.GetProperty("id").GetString()}/content");
        Assert.Equal(kept, download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"VALUE","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"tiny","messages":[{"role":"VALUE","content":"hi"}]}""")]
    [InlineData("/api/generate", """{"model":"VALUE","prompt":"hi"}""")]
    [InlineData("/api/finetune/start", """{"model":"tiny","dataset_url":"VALUE"}""")]
    [InlineData("/api/finetune/start", """{"model":"tiny","dataset_url":"train.csv","device":"VALUE"}""")]
    public async Task Errors_EchoAtMostATruncatedValue_WhenAFieldIsHuge(string url, string template)
    {
        var huge = new string('z', 900_000);

        var response = await _client.PostJson(url, template.Replace("VALUE", huge));

        Assert.InRange((int)response.StatusCode, 400, 499);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 3000, $"the error is {text.Length} characters long");
        Assert.DoesNotContain(new string('z', ClientText.MaxEchoedChars + 1), text);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
