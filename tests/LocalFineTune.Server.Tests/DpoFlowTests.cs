using System.Net;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>DPO through POST /api/finetune/start: {"method": "dpo", "beta": …} on preference data, TRL metrics in the events.</summary>
public sealed class DpoFlowTests : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly ServerFactory _factory;
    private readonly HttpClient _client;

    public DpoFlowTests()
    {
        File.WriteAllText(Path.Combine(_folders.DataRoot, "prefs.jsonl"), string.Join("\n", Enumerable.Range(0, 20).Select(i => JsonSerializer.Serialize(new
        {
            prompt = $"Frigo {i} fait bruit fort.",
            chosen = " Vérifier le compresseur, le ventilateur et le givre.",
            rejected = " Acheter un nouveau frigo.",
        }))));
        _factory = new ServerFactory(_folders);
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task DpoJob_Succeeds_AndItsEventsCarryTheRewards()
    {
        var jobId = await _client.StartJob("""{"model":"tiny","dataset_url":"prefs.jsonl","epochs":1,"method":"dpo","beta":0.3,"learning_rate":1e-3}""");
        var status = await _client.WaitForStatus(jobId, Api.IsFinal, TimeSpan.FromSeconds(120));

        Assert.True("succeeded" == status.GetProperty("status").GetString(), status.ToString());
        Assert.Equal("dpo", status.GetProperty("method").GetString());
        Assert.Equal(0.3, status.GetProperty("config").GetProperty("dpo").GetProperty("beta").GetDouble());
        var events = (await (await _client.GetAsync($"/api/finetune/jobs/{jobId}/events")).Json()).ToString();
        Assert.Contains("rewards/margins", events);
    }

    [Theory]
    [InlineData("""{"model":"tiny","dataset_url":"prefs.jsonl","method":"dpo","beta":0}""", "dpo.beta")]
    [InlineData("""{"model":"tiny","dataset_url":"prefs.jsonl","method":"dpo","beta":3}""", "dpo.beta")]
    [InlineData("""{"model":"tiny","dataset_url":"prefs.jsonl","beta":0.1}""", "dpo")]
    public async Task BadDpoSettings_Answer400_NamingTheField(string body, string field)
    {
        var response = await _client.PostJson("/api/finetune/start", body);
        await response.AssertProblem(HttpStatusCode.BadRequest, field);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _folders.Dispose();
    }
}
