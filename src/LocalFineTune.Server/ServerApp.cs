using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Models;
using LocalFineTune.Jobs.Schedules;
using LocalFineTune.Jobs.Sqlite;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.Dashboard;
using LocalFineTune.Server.Datasets;
using LocalFineTune.Server.Endpoints;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Execution.Schedules;
using LocalFineTune.Server.Hosting;
using LocalFineTune.Server.Inference;
using LocalFineTune.Server.OpenAi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server;

/// <summary>
/// The service's composition root. <see cref="RunAsync"/> is what `lft serve` calls; <see cref="AddServices"/>,
/// <see cref="ConfigurePipeline"/> and <see cref="MapEndpoints"/> are public so a test host builds the very same app.
/// </summary>
public sealed class ServerApp
{
    private ServerApp()
    {
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // The shipped appsettings.json (next to the assembly) comes first; one in the current directory, the
        // environment and the command line override it.
        // The file provider must be given: otherwise the path is looked up under the content root (the current
        // directory) and, being optional, silently not found.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json",
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
            Optional = true,
            ReloadOnChange = false,
        });
        builder.Configuration.AddCommandLine(args, ServerConfiguration.SwitchMappings.ToDictionary());
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(ServerConfiguration.DefaultUrl);
        }
        AddServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        ConfigurePipeline(app);
        return app;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellation = default)
    {
        WebApplication app;
        try
        {
            app = Build(args);
            _ = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
            _ = app.Services.GetRequiredService<StateFolderLock>();
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        await app.RunAsync(cancellation);
        return 0;
    }

    public static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section))
            .PostConfigure(o => ServerConfiguration.Normalize(o, configuration));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<Problems.ClientErrorHandler>();
        services.AddOpenApi();
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton(sp => new ApiKeyCheck(sp.GetRequiredService<IOptions<ServerOptions>>().Value.ApiKey));
        services.AddSingleton(sp => AcquireProfile(sp.GetRequiredService<IOptions<ServerOptions>>().Value));
        services.AddSingleton<IJobStore>(sp =>
        {
            _ = sp.GetRequiredService<StateFolderLock>();
            return JobProfiles.CreateStore(sp.GetRequiredService<IOptions<ServerOptions>>().Value);
        });
        services.AddSingleton(sp => new DatasetDownloader(sp.GetRequiredService<IOptions<ServerOptions>>().Value.Downloads));
        services.AddSingleton(sp => sp.GetRequiredService<DatasetDownloader>().Policy);
        // Both stores keep the "latest" pointers next to the jobs (one database for every process of the profile).
        services.AddSingleton(sp => (IModelPointers)sp.GetRequiredService<IJobStore>());
        services.AddSingleton(sp => new ModelCatalog(sp.GetRequiredService<IOptions<ServerOptions>>().Value.ModelsRoot, sp.GetRequiredService<IModelPointers>()));
        services.AddSingleton<ModelPromotion>();
        services.AddSingleton<HoldoutComparison>();
        services.AddSingleton<PromotionGate>();
        services.AddSingleton<DeviceInventory>();
        services.AddSingleton<IJobExecutor, TrainingJobExecutor>();
        services.AddSingleton<JobLifecycleLog>();
        services.AddHostedService(sp => sp.GetRequiredService<JobLifecycleLog>());
        services.AddSingleton(CreateWorker);
        services.AddSingleton(sp => new BaseDownloads(sp.GetRequiredService<IOptions<ServerOptions>>().Value, sp.GetRequiredService<ModelCatalog>()));
        services.AddSingleton(sp => new StartRequestParser(sp.GetRequiredService<IOptions<ServerOptions>>().Value,
            sp.GetRequiredService<BaseDownloads>(), sp.GetRequiredService<DatasetDownloader>()));
        services.AddSingleton<FineTuneService>();
        services.AddSingleton<DeviceThroughput>();
        services.AddSingleton<TrainingTimeEstimator>();
        services.AddSingleton<DataCheckService>();
        services.AddSingleton<ComparisonService>();
        services.AddSingleton<ComparisonSamples>();
        services.AddSingleton<JobEventStream>();
        services.AddModelCache(configuration);
        services.AddSingleton<IGenerationBackend, TorchGenerationBackend>();
        services.AddHostedService<JobDispatcherHostedService>();
        AddSchedules(services);
        services.AddJobsDashboard();
        services.AddOpenAiApi(configuration);
    }

    public static void ConfigurePipeline(IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Malformed requests that ASP.NET itself rejects (bad headers, body too large, a broken chunked body wrapped
            // in an IOException) stay 4xx, never 500; ClientErrorHandler writes them in the surface's shape.
            StatusCodeSelector = e => Problems.ClientErrors.Find(e)?.Status ?? StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseOpenAiAuth();
        var keyCheck = app.ApplicationServices.GetRequiredService<ApiKeyCheck>();
        if (keyCheck.Enabled)
        {
            app.UseMiddleware<ApiKeyMiddleware>(keyCheck);
        }
        app.UseJobsDashboard(keyCheck);
        app.UseRouting();
        app.UseEndpoints(MapEndpoints);
    }

    public static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi();
        endpoints.MapInfo();
        endpoints.MapFineTune();
        endpoints.MapValidate();
        endpoints.MapCompare();
        endpoints.MapModels();
        endpoints.MapPromotion();
        endpoints.MapSchedules();
        endpoints.MapJobs();
        endpoints.MapGenerate();
        endpoints.MapHealth();
        endpoints.MapOpenAi();
        endpoints.MapDashboard();
    }

    /// <summary>sqlite: one process per state folder (lock). postgres: the shared folders must be writable. Either
    /// failure is a clear start-up error.</summary>
    private static StateFolderLock AcquireProfile(ServerOptions options)
    {
        if (options.Profile == "postgres")
        {
            JobProfiles.EnsureSharedFoldersWritable(options);
            return StateFolderLock.None;
        }
        return options.Profile == "memory" ? StateFolderLock.None : StateFolderLock.Acquire(options.StateFolder);
    }

    private static JobDispatcher CreateWorker(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        // Hangfire builds a schedule's trigger (a recurring job) from this container, at firing time.
        var dispatcherOptions = JobProfiles.CreateDispatcherOptions(options) with { Activate = type => services.GetService(type) };
        return new JobDispatcher(services.GetRequiredService<IJobStore>(), services.GetRequiredService<IJobExecutor>(),
            dispatcherOptions, services.GetRequiredService<ILogger<JobDispatcher>>());
    }

    /// <summary>Schedules live in the job database; Hangfire fires them; after the dispatcher starts, missed runs catch up.</summary>
    private static void AddSchedules(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => (IScheduleStore)sp.GetRequiredService<IJobStore>());
        services.AddSingleton<ScheduleRequestParser>();
        services.AddSingleton<ScheduleRegistrar>();
        services.AddSingleton<ScheduleService>();
        services.AddSingleton<ScheduleTrigger>();
        services.AddHostedService<ScheduleHostedService>();
    }
}
