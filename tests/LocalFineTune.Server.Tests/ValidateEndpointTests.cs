using System.Net;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Server.Tests.OpenAi;

namespace LocalFineTune.Server.Tests;

/// <summary>POST /api/finetune/validate on the tiny base: the report, its errors by line, uploads, refusals, the estimate's basis.</summary>
public sealed class ValidateEndpointTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public ValidateEndpointTests()
    {
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task ValidCsv_ReportsCountsTokensAndAMeasuredEstimate()
    {
        var result = await Validate("""{"model":"tiny","dataset_url":"train.csv","epochs":2,"batch_size":4}""");

        Assert.True(result.GetProperty("valid").GetBoolean());
        var report = result.GetProperty("report");
        // 24 rows, 10% held out for evaluation.
        Assert.Equal(24, report.GetProperty("n_examples").GetInt32() + report.GetProperty("n_validation_examples").GetInt32());
        Assert.True(report.GetProperty("n_validation_examples").GetInt32() > 0);
        Assert.True(report.GetProperty("tokens_per_example").GetProperty("mean").GetDouble() > 0);
        Assert.Equal(64, report.GetProperty("max_seq_length").GetInt32());
        Assert.Equal(0, report.GetProperty("n_truncated").GetInt32());
        var estimate = result.GetProperty("estimate");
        Assert.Equal("measured", estimate.GetProperty("basis").GetString());
        Assert.Equal("cpu", estimate.GetProperty("device").GetString());
        Assert.Contains("Rough", estimate.GetProperty("basis_note").GetString());
        Assert.True(estimate.GetProperty("seconds").GetDouble() > 0);
        var examples = report.GetProperty("n_examples").GetInt32();
        Assert.Equal((examples + 3) / 4 * 2, estimate.GetProperty("total_steps").GetInt32());
        Assert.Equal(report.GetProperty("tokens_per_epoch").GetInt64() * 2, estimate.GetProperty("training_tokens").GetInt64());
    }

    [Fact]
    public async Task AutoEpochs_TheReportAndTheEstimateCountTheEpochsTheTrainerWillRun()
    {
        var result = await Validate("""{"model":"tiny","dataset_url":"train.csv","epochs":"auto","batch_size":4}""");

        var report = result.GetProperty("report");
        var examples = report.GetProperty("n_examples").GetInt32();
        // About 22 training examples: "auto" trains small sets for enough epochs to see ~100 examples, not the default 3.
        var epochs = (100 + examples - 1) / examples;
        Assert.Equal(epochs, report.GetProperty("epochs").GetInt32());
        Assert.Equal(epochs, result.GetProperty("estimate").GetProperty("epochs").GetInt32());
        Assert.Equal(report.GetProperty("total_training_tokens").GetInt64(), result.GetProperty("estimate").GetProperty("training_tokens").GetInt64());
    }

    [Fact]
    public async Task JsonlWithABadLine3_IsA200WithValidFalse_AndTheErrorNamesLine3AndItsCode()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"{{\"text\":\"note {i}\"}}").ToList();
        lines.Insert(2, "{not json");
        File.WriteAllLines(Path.Combine(_folders.DataRoot, "bad.jsonl"), lines);

        var result = await Validate("""{"model":"tiny","dataset_url":"bad.jsonl"}""");

        Assert.False(result.GetProperty("valid").GetBoolean());
        var error = Assert.Single(result.GetProperty("report").GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Equal("invalid_json", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("estimate").ValueKind);
    }

    [Fact]
    public async Task UploadedFileIds_AreValidated_TrainingAndValidationFile()
    {
        var training = await _client.Upload(string.Concat(Enumerable.Range(0, 20).Select(i => $"{{\"prompt\":\"fridge {i}\",\"completion\":\"check the fan\"}}\n")));
        var validation = await _client.Upload("""{"prompt":"freezer","completion":"defrost it"}""" + "\n", "holdout.jsonl");

        var result = await Validate($$"""{"model":"tiny","training_file":"{{training}}","validation_file":"{{validation}}","epochs":1}""");

        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
        var report = result.GetProperty("report");
        Assert.Equal(20, report.GetProperty("n_examples").GetInt32());
        Assert.Equal(1, report.GetProperty("n_validation_examples").GetInt32());
        Assert.Equal(20, report.GetProperty("example_kinds").GetProperty("prompt_completion").GetInt32());
    }

    [Fact]
    public async Task UnknownFileId_Answers400NamingTrainingFile()
    {
        var response = await _client.PostJson("/api/finetune/validate", """{"model":"tiny","training_file":"file-doesnotexist"}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, "training_file");
    }

    [Fact]
    public async Task BothSources_Answers400()
    {
        var response = await _client.PostJson("/api/finetune/validate", """{"model":"tiny","dataset_url":"train.csv","training_file":"file-abc"}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, "training_file");
    }

    [Theory]
    [InlineData("../outside.csv")]
    [InlineData("/etc/passwd")]
    public async Task PathOutsideTheDataRoot_Answers400NamingDatasetUrl(string path)
    {
        var response = await _client.PostJson("/api/finetune/validate", $$"""{"model":"tiny","dataset_url":"{{path}}"}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, "dataset_url");
    }

    [Fact]
    public async Task HttpDatasetUrl_Answers400TellingToUploadOrUseTheDataRoot()
    {
        var response = await _client.PostJson("/api/finetune/validate", """{"model":"tiny","dataset_url":"https://example.com/train.csv"}""");
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "dataset_url");
        Assert.Contains("POST /v1/files", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownModel_Answers400NamingModel()
    {
        var response = await _client.PostJson("/api/finetune/validate", """{"model":"no-such-base","dataset_url":"train.csv"}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, "model");
    }

    [Fact]
    public async Task BadHyperparameter_IsTheSame400AsStart()
    {
        var response = await _client.PostJson("/api/finetune/validate", """{"model":"tiny","dataset_url":"train.csv","epochs":99}""");
        await response.AssertProblem(HttpStatusCode.BadRequest, "epochs");
    }

    [Fact]
    public async Task AfterASucceededJobOnTheTinyBase_TheEstimateIsFromHistory()
    {
        const string body = """{"model":"tiny","dataset_url":"train.csv","epochs":1,"batch_size":4,"learning_rate":1e-3}""";
        var jobId = await _client.StartJob(body);
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", status.GetProperty("status").GetString());

        var estimate = (await Validate(body)).GetProperty("estimate");

        Assert.Equal("history", estimate.GetProperty("basis").GetString());
        Assert.Contains("1 earlier succeeded", estimate.GetProperty("basis_note").GetString());
        Assert.True(estimate.GetProperty("tokens_per_second").GetDouble() > 0);
    }

    private async Task<JsonElement> Validate(string body)
    {
        var response = await _client.PostJson("/api/finetune/validate", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
