using LocalFineTune.Server.Tests.Infrastructure;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using LocalFineTune.Jobs;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server.OpenAi.Inference;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpenAI;

namespace LocalFineTune.Server.Tests.OpenAi;

/// <summary>
/// One isolated service per test class instance, built by the same ServerApp hooks `lft serve` uses, in its own temp
/// models/data/state tree with a tiny random GPT-2 base "tiny" (real GPT-2 tokenizer, 1 layer: steps take milliseconds).
/// </summary>
public sealed class OpenAiTestServer : WebApplicationFactory<OpenAiTestServer.EntryPoint>
{
    public const string Base = "tiny";
    public const string ApiKey = "sk-local-test-key";
    private static readonly Lazy<string> TemplateBase = new(CreateTemplateBase);
    private readonly Dictionary<string, string?> _settings;
    private readonly IChatGenerator? _generator;

    static OpenAiTestServer() => TestHostBuilder.SetContentRoot();

    public OpenAiTestServer(IDictionary<string, string?>? overrides = null, IChatGenerator? generator = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "lft-openai-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(Root, "data"));
        CopyDirectory(TemplateBase.Value, Path.Combine(Root, "models", "base", Base));
        _generator = generator;
        _settings = new Dictionary<string, string?>
        {
            ["LocalFineTune:ModelsRoot"] = Path.Combine(Root, "models"),
            ["LocalFineTune:DataRoot"] = Path.Combine(Root, "data"),
            ["LocalFineTune:StateFolder"] = Path.Combine(Root, "state"),
            ["LocalFineTune:RetryDelaySeconds"] = "0.2",
            // A checkpoint every step, so even a short run has "ft:…:ckpt-step-N" models to list and use.
            ["LocalFineTune:DefaultSaveSteps"] = "1",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public string Root { get; }
    public string ModelsRoot => Path.Combine(Root, "models");
    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    /// <summary>The official SDK, talking to this in-memory server through the test HttpClient.</summary>
    public OpenAIClient CreateOpenAiClient(string apiKey = ApiKey) =>
        new(new ApiKeyCredential(apiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri("http://localhost/v1"),
            Transport = new HttpClientPipelineTransport(CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    /// <summary>n chat examples in OpenAI's format, one JSON object per line.</summary>
    public static string ChatJsonl(int examples)
    {
        var text = new StringBuilder();
        for (var i = 0; i < examples; i++)
        {
            text.Append($$"""{"messages":[{"role":"system","content":"You fix fridges."},{"role":"user","content":"Fridge {{i}} is noisy."},{"role":"assistant","content":"Check the fan {{i}}."}]}""").Append('\n');
        }
        return text.ToString();
    }

    protected override IHostBuilder CreateHostBuilder() =>
        TestHostBuilder.Create(_settings, services =>
        {
            if (_generator is not null) services.Replace(ServiceDescriptor.Singleton(_generator));
        });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A generation thread may still hold a file for a moment; the OS cleans temp folders.
        }
    }

    /// <summary>WebApplicationFactory wants its type argument in an assembly with an entry point: the test assembly has one.</summary>
    public sealed class EntryPoint;

    private static string CreateTemplateBase()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lft-openai-tests", "template-" + Environment.ProcessId, Base);
        if (File.Exists(Path.Combine(dir, "model.safetensors"))) return dir;
        var config = new Gpt2Config { VocabSize = 50257, NPositions = 128, NEmbd = 16, NLayer = 1, NHead = 2 };
        HfModelFolder.CreateRandomFolder(dir, config, Path.Combine(RepoRoot(), "models", "base", "tiny-gpt2"), seed: 4321);
        return dir;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find LocalFineTune.sln above the test output.");
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
    }
}
