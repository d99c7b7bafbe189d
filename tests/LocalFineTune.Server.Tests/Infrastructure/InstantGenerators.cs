using LocalFineTune.Server.Execution;
using LocalFineTune.Server.OpenAi.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>
/// Generators that answer at once, for tests about request handling (parsing, limits, errors) rather than about
/// the model: every request still goes through the real parsing, catalog and gate, only no model is loaded.
/// </summary>
public sealed class InstantGenerators : IChatGenerator, IGenerationRun, IGenerationBackend
{
    public static void Register(IServiceCollection services)
    {
        var generators = new InstantGenerators();
        services.Replace(ServiceDescriptor.Singleton<IChatGenerator>(generators));
        services.Replace(ServiceDescriptor.Singleton<IGenerationBackend>(generators));
    }

    public Task<IGenerationRun> StartAsync(string modelPath, CancellationToken cancellation) => Task.FromResult<IGenerationRun>(this);

    public async Task<TextResult> GenerateAsync(TextRequest request, Func<string, Task> onPiece, CancellationToken cancellation)
    {
        await onPiece("ok");
        return new TextResult("ok", 1, 1, "stop");
    }

    public GenerateResult Generate(GenerateRequestParsed request, CancellationToken cancellation) => new("ok", 1, 1, "stop", 0);

    public void Dispose()
    {
    }
}
