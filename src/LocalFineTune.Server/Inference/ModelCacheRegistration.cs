namespace LocalFineTune.Server.Inference;

public static class ModelCacheRegistration
{
    /// <summary>The one model cache all inference endpoints share, sized by LocalFineTune:ModelCacheBytes.</summary>
    public static IServiceCollection AddModelCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ModelCacheOptions>().Bind(configuration.GetSection(Configuration.ServerOptions.Section))
            .Validate(o => o.BudgetBytes >= 0, "LocalFineTune:ModelCacheBytes must be 0 (keep no model between requests) or a positive number of bytes.")
            .ValidateOnStart();
        services.AddSingleton<ModelCache>();
        return services;
    }
}
