using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>
/// The host every in-memory test server uses: the same ServerApp.AddServices/ConfigurePipeline as `lft serve`,
/// with the test's settings and optional service replacements (a fake executor or generator).
/// </summary>
public static class TestHostBuilder
{
    /// <summary>
    /// WebApplicationFactory reads a content root for its entry assembly from this variable before anything we
    /// configure; the test output folder will do. Call from each factory's static constructor.
    /// </summary>
    public static void SetContentRoot() =>
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_LOCALFINETUNE_SERVER_TESTS", AppContext.BaseDirectory);

    public static IHostBuilder Create(IDictionary<string, string?> settings, Action<IServiceCollection>? replaceServices = null) =>
        Host.CreateDefaultBuilder()
            .ConfigureWebHostDefaults(web => web
                .ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings))
                .ConfigureServices((context, services) =>
                {
                    ServerApp.AddServices(services, context.Configuration);
                    replaceServices?.Invoke(services);
                })
                .Configure(ServerApp.ConfigurePipeline));
}
