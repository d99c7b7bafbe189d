using Hangfire;
using Hangfire.Dashboard;
using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// Hangfire's dashboard at /hangfire on the dispatcher's own storage (the queue of this profile: in memory for sqlite,
/// the shared database for postgres). Anti-forgery is on, so its POST buttons need the token its pages carry.
/// </summary>
public static class HangfireDashboard
{
    public const string Path = "/hangfire";

    public static IServiceCollection AddJobsDashboard(this IServiceCollection services)
    {
        // Not services.AddHangfire: resolving its configuration points Hangfire's global log provider at this host's
        // logger factory, which breaks every other host in the process (tests) once this one is disposed. Our servers
        // have their own activator, filters and storage (JobDispatcher); the dashboard needs only its middleware.
        services.AddAntiforgery();
        return services;
    }

    public static IApplicationBuilder UseJobsDashboard(this IApplicationBuilder app, ApiKeyCheck check)
    {
        var filter = new DashboardApiKeyFilter(check);
        var storage = app.ApplicationServices.GetRequiredService<JobDispatcher>().Storage;
        var options = new DashboardOptions
        {
            Authorization = [filter],
            IsReadOnlyFunc = filter.IsReadOnly,
            DashboardTitle = "LocalFineTune jobs",
            AppPath = "/api/finetune/info",
        };
        // What UseHangfireDashboard does, minus its check for AddHangfire's registrations (see AddJobsDashboard).
        return app.Map(Path, dashboard => dashboard.UseMiddleware<AspNetCoreDashboardMiddleware>(storage, options, DashboardRoutes.Routes));
    }
}
