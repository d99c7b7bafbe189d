using LocalFineTune.Jobs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>
/// One isolated service per test: its own temp models/data/state folders and SQLite file. Built from the same
/// ServerApp.AddServices/ConfigurePipeline that `lft serve` uses. Optionally swaps the executor for a fake.
/// </summary>
public sealed class ServerFactory : WebApplicationFactory<ServerFactory.EntryPoint>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly IJobExecutor? _executor;
    private readonly Action<IServiceCollection>? _replace;

    static ServerFactory() => TestHostBuilder.SetContentRoot();

    public ServerFactory(TestFolders folders, IJobExecutor? executor = null, IDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? replaceServices = null)
    {
        Folders = folders;
        _executor = executor;
        _replace = replaceServices;
        _settings = folders.Settings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public TestFolders Folders { get; }

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    protected override IHostBuilder CreateHostBuilder() =>
        TestHostBuilder.Create(_settings, services =>
        {
            if (_executor is not null) services.Replace(ServiceDescriptor.Singleton(_executor));
            _replace?.Invoke(services);
        });

    /// <summary>
    /// WebApplicationFactory insists that its type argument lives in an assembly with an entry point and a deps file:
    /// the server is a library, the test assembly has both. The host itself comes from <see cref="CreateHostBuilder"/>.
    /// </summary>
    public sealed class EntryPoint;
}
