using System.Text.Json;
using LocalFineTune.Server.Tests.Docs;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Server.Tests.OpenAi;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.Tests;

/// <summary>
/// Issue 12.1: one small job given to `lft train` (a real process), POST /api/finetune/start and POST /v1/fine_tuning/jobs
/// resolves the same hyperparameters (the learning rate from the base's training_defaults.json on all three) and, seeded,
/// reaches the same eval loss. /v1 is given n_epochs 3, batch_size 4 and seed 42 because its own defaults are
/// OpenAI's ("auto", a random seed); the learning rate is left to each surface's defaults, which is what differed.
/// </summary>
[Collection(ReadmeSnippetCollection.Name)]
public sealed class ThreeSurfacesTests : IDisposable
{
    /// <summary>The fields that decide what is trained; save/eval intervals and the device name differ by surface on purpose.</summary>
    private static readonly string[] TrainingFields =
        ["epochs", "batch_size", "learning_rate", "method", "gradient_accumulation_steps", "warmup_steps", "warmup_ratio", "lr_scheduler",
         "weight_decay", "max_grad_norm", "max_seq_length", "seed"];
    private static readonly string[] ResolvedFields =
        ["epochs", "batch_size", "max_seq_length", "steps_per_epoch", "total_steps", "training_sequences", "evaluation_sequences"];

    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public ThreeSurfacesTests()
    {
        File.WriteAllText(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase, TrainingDefaults.FileName), """{"learning_rate": 3e-3}""");
        File.WriteAllText(Path.Combine(_folders.DataRoot, "chat.jsonl"), TestDatasets.ChatJsonl(24));
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task SameJob_FromCliApiAndV1_ResolvesTheSameHyperparameters_AndReachesTheSameEvalLoss()
    {
        var cli = await TrainWithCli();
        var api = await FolderOf(await _client.StartJob("""{"model":"tiny","dataset_url":"chat.jsonl"}"""));
        var fileId = await _client.Upload(File.ReadAllText(Path.Combine(_folders.DataRoot, "chat.jsonl")));
        var created = await (await OpenAiHttp.PostJson(_client, "/v1/fine_tuning/jobs",
            $$$"""{"model":"tiny","training_file":"{{{fileId}}}","seed":42,"hyperparameters":{"n_epochs":3,"batch_size":4}}""")).Body();
        var v1 = await FolderOf(created.GetProperty("id").GetString()!);

        var surfaces = new[] { ("lft train", cli), ("/api/finetune", api), ("/v1", v1) };
        foreach (var (name, folder) in surfaces)
        {
            Assert.Equal(3e-3, Read(folder, "training_args.json").GetProperty("learning_rate").GetDouble());
            foreach (var field in TrainingFields)
                Assert.True(Field(cli, "training_args.json", field) == Field(folder, "training_args.json", field),
                    $"{field}: lft train {Field(cli, "training_args.json", field)}, {name} {Field(folder, "training_args.json", field)}");
            var resolved = Read(folder, "metrics.json").GetProperty("resolved");
            foreach (var field in ResolvedFields)
                Assert.True(Read(cli, "metrics.json").GetProperty("resolved").GetProperty(field).ToString() == resolved.GetProperty(field).ToString(),
                    $"resolved {field} differs on {name}");
            foreach (var loss in new[] { "eval_loss_before", "eval_loss_after" })
                Assert.Equal(Read(cli, "metrics.json").GetProperty(loss).GetDouble(), Read(folder, "metrics.json").GetProperty(loss).GetDouble(), 1e-6);
        }
        Assert.True(Read(cli, "metrics.json").GetProperty("eval_loss_after").GetDouble() < Read(cli, "metrics.json").GetProperty("eval_loss_before").GetDouble());
    }

    private async Task<string> TrainWithCli()
    {
        var output = Path.Combine(_folders.Root, "cli-out");
        var result = await ProcessRun.RunAsync("dotnet",
            [DocClone.LftDll, "train", "--model", TestFolders.TinyBase, "--data", Path.Combine(_folders.DataRoot, "chat.jsonl"),
             "--models-root", _folders.ModelsRoot, "--output-dir", output, "--json"],
            _folders.Root, null, TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.Output);
        return Directory.EnumerateDirectories(output, "tiny-finetuned-*").Single();
    }

    private async Task<string> FolderOf(string jobId)
    {
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromMinutes(3));
        Assert.True(status.GetProperty("status").GetString() == "succeeded", status.ToString());
        var path = status.GetProperty("model_path").GetString()!.TrimEnd('/');
        return Path.Combine(_folders.ModelsRoot, Path.GetFileName(path));
    }

    private static JsonElement Read(string folder, string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, file)));
        return doc.RootElement.Clone();
    }

    private static string Field(string folder, string file, string field) => Read(folder, file).GetProperty(field).GetRawText();

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
