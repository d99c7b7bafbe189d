using System.Text;

namespace LocalFineTune.Hub.Tests;

public sealed class ModelPullerTests : IAsyncLifetime, IDisposable
{
    private readonly LocalHub _hub = new();
    private readonly string _baseRoot = Directory.CreateTempSubdirectory("lft-pull-").FullName;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private static readonly byte[] Weights = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 % 251)).ToArray();

    private static readonly Dictionary<string, byte[]> TinyModel = new()
    {
        ["config.json"] = Encoding.UTF8.GetBytes("{\"model_type\":\"gpt2\"}"),
        ["tokenizer.json"] = Encoding.UTF8.GetBytes("{\"model\":{}}"),
        ["model.safetensors"] = Weights,
        ["pytorch_model.bin"] = [1, 2, 3],
        ["README.md"] = Encoding.UTF8.GetBytes("# tiny"),
        ["onnx/model.onnx"] = [9],
    };

    public async Task InitializeAsync()
    {
        _hub.AddRepository("org/tiny", TinyModel);
        await _hub.StartAsync();
    }

    public Task DisposeAsync() => _hub.DisposeAsync().AsTask();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_baseRoot, recursive: true);
    }

    private ModelPuller Puller(string? token = null) => new(new HubClient(_http, new HubSettings(_hub.Endpoint.TrimEnd('/'), token)));

    [Fact]
    public async Task PullAsync_WritesOnlySafeTensorsAndConfigFiles_WhenTheRepositoryAlsoHasPickles()
    {
        var result = await Puller().PullAsync("org/tiny", _baseRoot);

        Assert.Equal(Path.Combine(_baseRoot, "tiny"), result.Folder);
        Assert.Equal(["config.json", "model.safetensors", "tokenizer.json"], Directory.GetFiles(result.Folder).Select(Path.GetFileName).Order());
        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(result.Folder, "model.safetensors")));
        Assert.Equal(LocalHub.Commit, result.Commit);
        Assert.Empty(Directory.GetDirectories(_baseRoot, ".*")); // the staging folder was renamed into place
    }

    [Fact]
    public async Task PullSideFilesAsync_FetchesOnlyConfigAndTokenizer_AndTheFullPullThenAddsOnlyTheWeights()
    {
        var staging = await Puller().PullSideFilesAsync("org/tiny", _baseRoot);

        Assert.Equal(ModelPuller.StagingFolder(_baseRoot, "tiny"), staging);
        Assert.Equal(["config.json", "tokenizer.json"], Directory.GetFiles(staging).Select(Path.GetFileName).Order());
        Assert.Empty(_hub.RangesSeen); // no weights requested yet
        Assert.False(Directory.Exists(Path.Combine(_baseRoot, "tiny"))); // nothing is published before the weights

        var result = await Puller().PullAsync("org/tiny", _baseRoot);

        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(result.Folder, "model.safetensors")));
        Assert.Single(_hub.RangesSeen);
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task PullAsync_ResumesWithARange_WhenTheConnectionIsCutMidFile()
    {
        _hub.CutTransfers = 2;
        var result = await Puller().PullAsync("org/tiny", _baseRoot);

        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(result.Folder, "model.safetensors")));
        Assert.Null(_hub.RangesSeen[0]);
        Assert.StartsWith("bytes=", _hub.RangesSeen[1]);
        Assert.Equal(3, _hub.RangesSeen.Count);
    }

    [Fact]
    public async Task PullAsync_RefusesTheFileAndPublishesNothing_WhenItsSha256DiffersFromThePublishedOne()
    {
        _hub.CorruptPayload = Weights.Select(b => (byte)(b ^ 1)).ToArray();
        var e = await Assert.ThrowsAsync<HubException>(() => Puller().PullAsync("org/tiny", _baseRoot));

        Assert.Contains("sha256", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_baseRoot, "tiny")));
        Assert.Empty(Directory.GetFiles(_baseRoot, "model.safetensors*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PullAsync_ContinuesAnInterruptedPull_WhenRunAgain()
    {
        _hub.CutTransfers = 10; // more cuts than attempts: the first pull gives up
        var oneTry = new ModelPuller(new HubClient(_http, new HubSettings(_hub.Endpoint.TrimEnd('/'), null))) { AttemptsPerFile = 1 };
        var first = await Assert.ThrowsAsync<HubException>(() => oneTry.PullAsync("org/tiny", _baseRoot));
        Assert.Contains("resumes", first.Message);
        _hub.CutTransfers = 0;

        var result = await Puller().PullAsync("org/tiny", _baseRoot);

        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(result.Folder, "model.safetensors")));
        Assert.StartsWith("bytes=", _hub.RangesSeen[^1]);
    }

    [Fact]
    public async Task PullAsync_ReportsTheFile_WhenTheHubAnswers404ForIt()
    {
        _hub.MissingFile = "model.safetensors";
        var e = await Assert.ThrowsAsync<HubException>(() => Puller().PullAsync("org/tiny", _baseRoot));

        Assert.Equal(404, e.StatusCode);
        Assert.Contains("model.safetensors of org/tiny", e.Message);
    }

    [Fact]
    public async Task PullAsync_Reports404_WhenTheRepositoryDoesNotExist()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => Puller().PullAsync("org/none", _baseRoot));

        Assert.Equal(404, e.StatusCode);
        Assert.Contains("org/none", e.Message);
    }

    [Fact]
    public async Task PullAsync_NamesTheLicencePageAndHfToken_WhenTheRepositoryIsGated()
    {
        _hub.GatedRepository = "org/tiny";
        _hub.RequiredToken = "hf_secret";
        var e = await Assert.ThrowsAsync<HubException>(() => Puller().PullAsync("org/tiny", _baseRoot));

        Assert.Equal(401, e.StatusCode);
        Assert.Contains(_hub.Endpoint.TrimEnd('/') + "/org/tiny", e.Message);
        Assert.Contains("HF_TOKEN", e.Message);

        var result = await Puller("hf_secret").PullAsync("org/tiny", _baseRoot);
        Assert.True(File.Exists(Path.Combine(result.Folder, "model.safetensors")));
    }

    [Fact]
    public async Task PullAsync_RefusesWithTheConversionCommand_WhenTheRepositoryHasOnlyPickles()
    {
        _hub.AddRepository("org/pickled", new Dictionary<string, byte[]> { ["config.json"] = [0x7b, 0x7d], ["pytorch_model.bin"] = [1] });
        var e = await Assert.ThrowsAsync<HubException>(() => Puller().PullAsync("org/pickled", _baseRoot));

        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("safe_serialization=True", e.Message);
    }

    [Fact]
    public async Task PullAsync_Refuses_WhenTheFolderAlreadyExists()
    {
        Directory.CreateDirectory(Path.Combine(_baseRoot, "tiny"));
        var e = await Assert.ThrowsAsync<HubException>(() => Puller().PullAsync("org/tiny", _baseRoot));
        Assert.Contains("already exists", e.Message);
    }
}
