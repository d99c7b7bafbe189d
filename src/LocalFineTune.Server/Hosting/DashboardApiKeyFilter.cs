using Hangfire.Dashboard;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// Who may see Hangfire's dashboard: with LocalFineTune:ApiKey set, only a request carrying the key as the API takes
/// it (Bearer or X-Api-Key) or the session cookie of our dashboard's login (<see cref="ApiKeyCheck"/>); the API key
/// middleware in front applies the same rule. Without a key it is open like the API, but read-only: buttons need the key.
/// </summary>
public sealed class DashboardApiKeyFilter(ApiKeyCheck check) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => !check.Enabled || HasKey(context);

    public bool IsReadOnly(DashboardContext context) => !check.Enabled || !HasKey(context);

    private bool HasKey(DashboardContext context)
    {
        var request = context.GetHttpContext().Request;
        return check.MatchesKey(ApiKeyCheck.PresentedKey(request)) || check.HasSession(request);
    }
}
