using System.Net;
using System.Text.Json;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;
using LocalFineTune.Server.Inference;
using LocalFineTune.Server.Tests.Infrastructure;
using LocalFineTune.Server.Tests.OpenAi;
using LocalFineTune.Torch;
using Microsoft.Extensions.DependencyInjection;

namespace LocalFineTune.Server.Tests.Inference;

/// <summary>
/// The model cache behind /v1/completions, /v1/chat/completions and /api/generate: one load serves later requests,
/// LRU under the budget, no eviction in use, LoRA fine-tunes served unmerged on one cached base, rewritten folders reload.
/// </summary>
public sealed class ModelCacheServingTests : IDisposable
{
    private const string Prompt = "Fridge";
    private OpenAiTestServer _server;
    private HttpClient _client;

    public ModelCacheServingTests()
    {
        _server = new OpenAiTestServer();
        _client = _server.CreateClient();
    }

    private ModelCache Cache => _server.Services.GetRequiredService<ModelCache>();
    private string BaseDir(string name = OpenAiTestServer.Base) => Path.Combine(_server.ModelsRoot, "base", name);

    [Fact]
    public async Task SecondRequest_OnAnyInferenceEndpoint_DoesNotReloadTheModel()
    {
        var first = await Complete("tiny");
        var second = await Complete("tiny");
        var chat = await _client.PostJson("/v1/chat/completions", """{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"temperature":0}""");
        var generate = await Generate("tiny");

        Assert.Equal(first, second);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(first, generate);
        Assert.Equal(1, Cache.Stats.Loads);
        Assert.Equal(3, Cache.Stats.Hits);
    }

    [Fact]
    public async Task AdapterOnlyFineTune_ServesTheMergedModelsText_OnTheCachedBase_AndTheBaseStillServesItself()
    {
        MakeFineTunes("tiny-ad", seed: 1, mergedName: "tiny-merged");

        var baseText = await Generate("tiny");
        var adapterText = await Generate("tiny-ad");
        var baseAgain = await Generate("tiny");
        var mergedText = await Generate("tiny-merged");
        var adapterViaV1 = await Complete("tiny-ad");

        Assert.Equal(mergedText, adapterText);
        Assert.NotEqual(baseText, adapterText);
        Assert.Equal(baseText, baseAgain);
        Assert.Equal(await Complete("tiny-merged"), adapterViaV1);
        // The base once, the adapter once, the merged folder (its own weights) once; the adapter-only folder is no model of its own.
        Assert.Equal(3, Cache.Stats.Loads);
        Assert.Contains("model:" + BaseDir(), Cache.CachedKeys);
        Assert.Contains("adapter:" + Path.Combine(BaseDir("tiny-ad"), "adapter"), Cache.CachedKeys);
        Assert.DoesNotContain("model:" + BaseDir("tiny-ad"), Cache.CachedKeys);
    }

    [Fact]
    public async Task ConcurrentRequests_OnTwoAdaptersOfOneBase_EachGetTheirOwnAdaptersText()
    {
        Restart(new() { ["LocalFineTune:OpenAi:MaxConcurrentGenerations"] = "4", ["LocalFineTune:OpenAi:MaxQueuedGenerations"] = "16" });
        MakeFineTunes("tiny-a", seed: 1, mergedName: "tiny-a-merged");
        MakeFineTunes("tiny-b", seed: 2, mergedName: "tiny-b-merged");
        var expected = new Dictionary<string, string>
        {
            ["tiny"] = await Complete("tiny", 16), ["tiny-a"] = await Complete("tiny-a-merged", 16), ["tiny-b"] = await Complete("tiny-b-merged", 16),
        };
        Assert.Equal(3, expected.Values.Distinct().Count());

        var names = Enumerable.Range(0, 12).Select(i => new[] { "tiny-a", "tiny-b", "tiny" }[i % 3]).ToList();
        var answers = await Task.WhenAll(names.Select(name => Task.Run(() => Complete(name, 16))));

        Assert.All(names.Zip(answers), pair => Assert.Equal(expected[pair.First], pair.Second));
        // 12 overlapping requests, and still one load each: the base, the two merged folders, the two adapters.
        Assert.Equal(5, Cache.Stats.Loads);
    }

    [Fact]
    public async Task SmallBudget_EvictsTheLeastRecentlyUsedModel()
    {
        Restart(new() { ["LocalFineTune:ModelCacheBytes"] = (WeightBytes() * 3 / 2).ToString() });
        CopyBase("tiny2");

        await Generate("tiny");
        await Generate("tiny2");
        Assert.Equal(["model:" + BaseDir("tiny2")], Cache.CachedKeys);
        await Generate("tiny");

        Assert.Equal(3, Cache.Stats.Loads);
        Assert.Equal(2, Cache.Stats.Evictions);
        Assert.Equal(["model:" + BaseDir()], Cache.CachedKeys);
    }

    [Fact]
    public async Task ModelInUse_IsNotEvicted_AndGoesWhenItsLastUserDoes()
    {
        Restart(new() { ["LocalFineTune:ModelCacheBytes"] = "1" });
        CopyBase("tiny2");
        var held = Cache.Acquire(BaseDir(), CancellationToken.None);

        await Generate("tiny2");             // loads tiny2, which cannot push out tiny while it is held
        var viaHttp = await Generate("tiny"); // served by the held model, no new load
        var direct = held.Run((model, tokenizer) => Greedy(model, tokenizer), CancellationToken.None);

        Assert.Equal(direct, viaHttp);
        Assert.Equal(2, Cache.Stats.Loads);
        Assert.Equal(["model:" + BaseDir()], Cache.CachedKeys);
        held.Dispose();
        Assert.Empty(Cache.CachedKeys);
        Assert.Equal(0, Cache.Stats.CachedBytes);
    }

    [Fact]
    public async Task RewrittenFolder_IsReloaded_AndServesTheNewWeights()
    {
        MakeFineTunes("tiny-ad", seed: 1, mergedName: null);
        var before = await Generate("tiny");
        await Generate("tiny-ad");
        var loads = Cache.Stats.Loads;

        var config = new Gpt2Config { VocabSize = 50257, NPositions = 128, NEmbd = 16, NLayer = 1, NHead = 2 };
        HfModelFolder.CreateRandomFolder(BaseDir(), config, Path.Combine(TestFolders.RepoRoot, "models", "base", "tiny-gpt2"), seed: 99);
        var after = await Generate("tiny");
        using var fresh = HfModelFolder.Load(BaseDir(), Device.Cpu);

        Assert.Equal(loads + 1, Cache.Stats.Loads);
        Assert.Equal(Greedy(fresh.Model, fresh.Tokenizer), after);
        Assert.NotEqual(before, after);

        MakeFineTunes("tiny-ad", seed: 5, mergedName: null); // a new adapter on the new base: only the adapter is read again
        await Generate("tiny-ad");
        Assert.Equal(loads + 2, Cache.Stats.Loads);
    }

    /// <summary>Greedy text of /api/generate's request, computed without the server.</summary>
    private static string Greedy(LocalFineTune.Models.ICausalLanguageModel model, LocalFineTune.Tokenizers.Tokenizer tokenizer) =>
        new TextGenerator(model, tokenizer).Generate(Prompt, new GenerationOptions { MaxNewTokens = 8, Temperature = 0 }).Text;

    private async Task<string> Generate(string model)
    {
        var response = await _client.PostJson("/api/generate", $$"""{"model":"{{model}}","prompt":"{{Prompt}}","max_new_tokens":8,"temperature":0}""");
        var body = await response.Body();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("text").GetString()!;
    }

    private async Task<string> Complete(string model, int maxTokens = 8)
    {
        var response = await _client.PostJson("/v1/completions", $$"""{"model":"{{model}}","prompt":"{{Prompt}}","max_tokens":{{maxTokens}},"temperature":0}""");
        var body = await response.Body();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    /// <summary>
    /// A LoRA fine-tune of "tiny" with B drawn from a seeded generator (as if trained): saved adapter-only (merge off) as
    /// base/<paramref name="name"/>, and merged as base/<paramref name="mergedName"/>.
    /// </summary>
    private void MakeFineTunes(string name, int seed, string? mergedName)
    {
        using var lora = AdapterFolders.LoadWithNewAdapter(BaseDir(), new LoraSettings { R = 4, Alpha = 16, Dropout = 0, Seed = (ulong)seed }, Device.Cpu);
        var random = new Random(seed);
        using (NoGradScope.Enter())
            foreach (var layer in lora.Lora!.Adapters)
            {
                using var b = Tensor.FromArray(Enumerable.Range(0, (int)layer.B.NumEl).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), layer.B.Shape);
                layer.B.CopyFrom(b);
            }
        AdapterFolders.SaveAdapterOnlyFolder(lora, BaseDir(name));
        if (mergedName is not null) AdapterFolders.SaveMerged(lora, BaseDir(mergedName));
    }

    private void CopyBase(string name)
    {
        Directory.CreateDirectory(BaseDir(name));
        foreach (var file in Directory.EnumerateFiles(BaseDir())) File.Copy(file, Path.Combine(BaseDir(name), Path.GetFileName(file)));
    }

    private long WeightBytes() => new FileInfo(Path.Combine(BaseDir(), "model.safetensors")).Length;

    private void Restart(Dictionary<string, string?> overrides)
    {
        _server.Dispose();
        _server = new OpenAiTestServer(overrides);
        _client = _server.CreateClient();
    }

    public void Dispose() => _server.Dispose();
}
