using System.Net.Http.Headers;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>Issue 12.9: an ordinary /v1 job (fewer steps than save_steps) still lists the checkpoints of its last three epochs.</summary>
public sealed class EpochCheckpointTests : IDisposable
{
    // The shipped save interval (10) is longer than this whole job: only the end-of-epoch checkpoints can appear.
    private readonly OpenAiTestServer _server = new(new Dictionary<string, string?> { ["LocalFineTune:DefaultSaveSteps"] = "10" });

    [Fact]
    public async Task Checkpoints_ListTheEndOfEachOfTheLastThreeEpochs_WhenTheJobIsShorterThanSaveSteps()
    {
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpenAiTestServer.ApiKey);
        var file = await client.Upload(OpenAiTestServer.ChatJsonl(12));
        var created = await (await client.PostJson("/v1/fine_tuning/jobs",
            $$$"""{"model":"tiny","training_file":"{{{file}}}","seed":3,"hyperparameters":{"n_epochs":4,"batch_size":6} }""")).Body();
        var jobId = created.GetProperty("id").GetString()!;

        var done = await client.WaitForJob(jobId, s => s is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(120));
        Assert.True("succeeded" == done.GetProperty("status").GetString(), done.ToString());
        var page = await (await client.GetAsync($"/v1/fine_tuning/jobs/{jobId}/checkpoints")).Body();

        // 12 examples, 10% held out: 11 sequences at batch 6 = 2 steps per epoch, 8 steps; the last three epochs end at 4, 6, 8.
        var steps = page.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("step_number").GetInt32()).ToList();
        Assert.Equal([8, 6, 4], steps);
    }

    public void Dispose() => _server.Dispose();
}
