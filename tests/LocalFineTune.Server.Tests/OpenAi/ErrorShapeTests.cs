using System.Net;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>Every /v1 failure is OpenAI's {"error": {...}} with a 4xx status naming the parameter; none is a 500.</summary>
public sealed class ErrorShapeTests : IDisposable
{
    private readonly OpenAiTestServer _server = new(new Dictionary<string, string?> { ["LocalFineTune:OpenAi:MaxUploadBytes"] = "2000" });
    private readonly HttpClient _client;

    public ErrorShapeTests() => _client = _server.CreateClient();

    [Fact]
    public async Task CreateJob_Answers400InvalidJson_WhenBodyIsMalformed()
    {
        var response = await _client.PostJson("/v1/fine_tuning/jobs", "{\"model\": ");
        await response.AssertOpenAiError(HttpStatusCode.BadRequest, null, "invalid_json");
    }

    [Fact]
    public async Task CreateJob_Answers400NamingMethodType_WhenMethodIsReinforcement()
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var response = await _client.PostJson("/v1/fine_tuning/jobs", $$"""{"model":"tiny","training_file":"{{file}}","method":{"type":"reinforcement"} }""");
        await response.AssertOpenAiError(HttpStatusCode.BadRequest, "method.type", "unsupported_method");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2.5")]
    [InlineData("\"high\"")]
    public async Task CreateJob_Answers400NamingBeta_WhenDpoBetaIsOutOfRange(string beta)
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var response = await _client.PostJson("/v1/fine_tuning/jobs",
            $$"""{"model":"tiny","training_file":"{{file}}","method":{"type":"dpo","dpo":{"hyperparameters":{"beta":{{beta}} } } } }""");
        await response.AssertOpenAiError(HttpStatusCode.BadRequest, "method.dpo.hyperparameters.beta");
    }

    [Theory]
    [InlineData("""{"suffix":"bad suffix!"}""", "suffix")]
    [InlineData("""{"seed":"seven"}""", "seed")]
    [InlineData("""{"hyperparameters":{"n_epochs":"many"}}""", "hyperparameters.n_epochs")]
    [InlineData("""{"method":{"type":"supervised","supervised":{"hyperparameters":{"batch_size":0}}}}""", "method.supervised.hyperparameters.batch_size")]
    [InlineData("""{"hyperparameters":{"learning_rate_multiplier":-1}}""", "hyperparameters.learning_rate_multiplier")]
    [InlineData("""{"model":"no-such-model"}""", "model")]
    [InlineData("""{"training_file":"file-doesnotexist"}""", "training_file")]
    [InlineData("""{"metadata":{"a":1}}""", "metadata.a")]
    public async Task CreateJob_Answers4xxNamingTheParam_WhenAFieldIsWrong(string patch, string param)
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var body = System.Text.Json.Nodes.JsonNode.Parse($$"""{"model":"tiny","training_file":"{{file}}"}""")!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(patch)!.AsObject()) body[key] = value?.DeepClone();
        var response = await _client.PostJson("/v1/fine_tuning/jobs", body.ToJsonString());
        Assert.InRange((int)response.StatusCode, 400, 404);
        await response.AssertOpenAiError(response.StatusCode, param);
    }

    [Fact]
    public async Task CreateJob_Answers400_WhenMoreThan16MetadataPairs()
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(12));
        var pairs = string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\""));
        var response = await _client.PostJson("/v1/fine_tuning/jobs", "{\"model\":\"tiny\",\"training_file\":\"" + file + "\",\"metadata\":{" + pairs + "}}");
        await response.AssertOpenAiError(HttpStatusCode.BadRequest, "metadata");
    }

    [Theory]
    [InlineData("/v1/fine_tuning/jobs/ftjob-unknown")]
    [InlineData("/v1/fine_tuning/jobs/not-a-job/events")]
    [InlineData("/v1/files/file-unknown")]
    [InlineData("/v1/models/ft:tiny:local:x:abcdefgh")]
    [InlineData("/v1/no/such/route")]
    public async Task Get_Answers404InOpenAiShape_WhenIdIsUnknown(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True((await response.Body()).TryGetProperty("error", out _));
    }

    [Fact]
    public async Task Upload_Answers400NamingTheLine_WhenALineIsNotAJsonObject()
    {
        var response = await _client.PostAsync("/v1/files", OpenAiHttp.Multipart("{\"prompt\":\"a\",\"completion\":\"b\"}\n[1,2]\n", "bad.jsonl", "fine-tune"));
        var error = await response.AssertOpenAiError(HttpStatusCode.BadRequest, "file", "invalid_file_format");
        Assert.Contains("line 2 is not a JSON object", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Upload_Answers413_WhenFileExceedsTheCap()
    {
        var response = await _client.PostAsync("/v1/files", OpenAiHttp.Multipart(OpenAiTestServer.ChatJsonl(40), "big.jsonl", "fine-tune"));
        await response.AssertOpenAiError(HttpStatusCode.RequestEntityTooLarge, "file", "file_too_large");
    }

    [Fact]
    public async Task Upload_AcceptsCsvAndListsDeletesAndDownloads_WhenPurposeIsFineTune()
    {
        var id = await _client.Upload("prompt,completion\nhello,world\n", "data.csv");
        var list = await (await _client.GetAsync("/v1/files?purpose=fine-tune&limit=5&order=asc")).Body();
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Contains(list.GetProperty("data").EnumerateArray(), f => f.GetProperty("id").GetString() == id && f.GetProperty("object").GetString() == "file");
        Assert.Equal("prompt,completion\nhello,world\n", await _client.GetStringAsync($"/v1/files/{id}/content"));
        var deleted = await (await _client.DeleteAsync($"/v1/files/{id}")).Body();
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v1/files/{id}")).StatusCode);
    }

    [Fact]
    public async Task Upload_Answers400_WhenPurposeIsMissingOrWrong()
    {
        (await _client.PostAsync("/v1/files", OpenAiHttp.Multipart("{}\n", "a.jsonl", null))).EnsureNotSuccess();
        var wrong = await _client.PostAsync("/v1/files", OpenAiHttp.Multipart("{}\n", "a.jsonl", "assistants"));
        await wrong.AssertOpenAiError(HttpStatusCode.BadRequest, "purpose", "invalid_purpose");
    }

    [Fact]
    public async Task Chat_Answers4xx_WhenModelUnknownOrFieldsWrong()
    {
        await (await _client.PostJson("/v1/chat/completions", """{"model":"nope","messages":[{"role":"user","content":"hi"}]}"""))
            .AssertOpenAiError(HttpStatusCode.NotFound, "model", "model_not_found");
        await (await _client.PostJson("/v1/chat/completions", """{"model":"tiny","messages":"hi"}""")).AssertOpenAiError(HttpStatusCode.BadRequest, "messages", "invalid_type");
        await (await _client.PostJson("/v1/chat/completions", """{"model":"tiny","messages":[{"role":"tool","content":"x"}]}""")).AssertOpenAiError(HttpStatusCode.BadRequest, "messages[0].role");
        await (await _client.PostJson("/v1/completions", """{"model":"tiny","prompt":"a","temperature":3}""")).AssertOpenAiError(HttpStatusCode.BadRequest, "temperature");
        await (await _client.PostJson("/v1/completions", """{"model":"tiny","prompt":"a","max_tokens":0}""")).AssertOpenAiError(HttpStatusCode.BadRequest, "max_tokens");
    }

    [Fact]
    public async Task Job_FailsWithInvalidNExamplesOnTrainingFile_WhenDatasetHasTooFewExamples()
    {
        var file = await _client.Upload(OpenAiTestServer.ChatJsonl(3));
        var created = await (await _client.PostJson("/v1/fine_tuning/jobs", $$"""{"model":"tiny","training_file":"{{file}}"}""")).Body();
        var job = await _client.WaitForJob(created.GetProperty("id").GetString()!, s => s is "failed" or "succeeded" or "cancelled", TimeSpan.FromSeconds(60));
        Assert.Equal("failed", job.GetProperty("status").GetString());
        var error = job.GetProperty("error");
        Assert.Equal("invalid_n_examples", error.GetProperty("code").GetString());
        Assert.Equal("training_file", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task DeleteModel_Answers403_WhenModelIsABase()
    {
        await (await _client.DeleteAsync("/v1/models/tiny")).AssertOpenAiError(HttpStatusCode.Forbidden, "model", "model_not_deletable");
    }

    public void Dispose() => _server.Dispose();
}

internal static class ResponseAsserts
{
    public static void EnsureNotSuccess(this HttpResponseMessage response) =>
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
}
