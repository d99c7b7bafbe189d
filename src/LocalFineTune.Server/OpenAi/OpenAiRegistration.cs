using LocalFineTune.Jobs;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Server.OpenAi.Files;
using LocalFineTune.Server.OpenAi.FineTuning;
using LocalFineTune.Server.OpenAi.Inference;
using LocalFineTune.Server.OpenAi.Models;

namespace LocalFineTune.Server.OpenAi;

/// <summary>
/// The three hooks the host calls: services, the auth middleware, the endpoints. Everything /v1 lives behind them,
/// so the host keeps one line each and the seed API (/api/finetune) is untouched.
/// </summary>
public static class OpenAiRegistration
{
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OpenAiOptions>().Bind(configuration.GetSection(OpenAiOptions.Section));
        services.AddSingleton<FileStore>();
        services.AddSingleton<FineTunedNames>();
        services.AddSingleton<OpenAiModelResolver>();
        services.AddSingleton<FineTuningJobFactory>();
        services.AddSingleton<FineTuningJobViews>();
        services.AddSingleton<CheckpointKeeper>();
        services.AddSingleton<GenerationGate>();
        services.AddSingleton<IChatGenerator, TorchChatGenerator>();
        services.AddHostedService<OpenAiJobObserver>();
        return services;
    }

    /// <summary>With LocalFineTune:ApiKey set, /v1 requests need "Authorization: Bearer &lt;key&gt;"; a no-op otherwise.</summary>
    public static IApplicationBuilder UseOpenAiAuth(this IApplicationBuilder app)
    {
        var check = app.ApplicationServices.GetRequiredService<Hosting.ApiKeyCheck>();
        return check.Enabled ? app.UseMiddleware<OpenAiAuthMiddleware>(check) : app;
    }

    public static IEndpointRouteBuilder MapOpenAi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenAiFiles();
        endpoints.MapOpenAiFineTuning();
        endpoints.MapOpenAiModels();
        endpoints.MapOpenAiCompletions();
        // Unknown /v1 paths answer in OpenAI's shape too, so SDK users see a readable error instead of an empty 404.
        endpoints.Map("/v1/{**rest}", (string? rest) => OpenAiErrors.Result(404,
                $"Unknown request URL: /v1/{rest}. This server implements /v1/files, /v1/fine_tuning/jobs, /v1/models, " +
                "/v1/chat/completions and /v1/completions.", null, "unknown_url"))
            .WithTags("OpenAI").ExcludeFromDescription();
        return endpoints;
    }
}
