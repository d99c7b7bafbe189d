namespace LocalFineTune.Server.Configuration;

/// <summary>Command-line switches of `lft serve` / the server, mapped to configuration keys.</summary>
public static class ServerConfiguration
{
    public const string DefaultUrl = "http://127.0.0.1:5002";

    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--models-root"] = "LocalFineTune:ModelsRoot",
        ["--data-root"] = "LocalFineTune:DataRoot",
        ["--state"] = "LocalFineTune:StateFolder",
        ["--state-folder"] = "LocalFineTune:StateFolder",
        ["--api-key"] = "LocalFineTune:ApiKey",
        ["--concurrency"] = "LocalFineTune:ConcurrencyPerDevice",
        ["--devices"] = "LocalFineTune:DevicesCsv",
        ["--max-download-bytes"] = "LocalFineTune:Downloads:MaxBytes",
        ["--download-timeout"] = "LocalFineTune:Downloads:TimeoutSeconds",
        ["--profile"] = "LocalFineTune:Profile",
        ["--postgres"] = "LocalFineTune:PostgresConnectionString",
        ["--role"] = "LocalFineTune:Role",
    };

    /// <summary>Makes the folders absolute (so a later change of directory cannot move them) and checks the values.</summary>
    public static ServerOptions Normalize(ServerOptions options, IConfiguration configuration)
    {
        if (configuration["LocalFineTune:DevicesCsv"] is { Length: > 0 } csv)
        {
            options.Devices = csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }
        options.Devices = options.Devices.Select(d => d.Trim().ToLowerInvariant()).Select(d => d == "cuda" ? "cuda:0" : d).Distinct().ToList();
        if (options.Devices.Count == 0)
            throw new InvalidOperationException("LocalFineTune:Devices is empty; list at least one device, e.g. [\"cpu\"] or --devices cuda:0,cpu.");
        if (options.Devices.Any(d => d != "cpu" && !(d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out var i) && i >= 0)))
            throw new InvalidOperationException($"LocalFineTune:Devices has an unknown device in [{string.Join(", ", options.Devices)}]; use cpu or cuda:N.");
        if (options.ConcurrencyPerDevice < 1)
            throw new InvalidOperationException("LocalFineTune:ConcurrencyPerDevice must be 1 or more (one training per device is the default).");
        if (options.Downloads.MaxBytes < 1 || options.Downloads.TimeoutSeconds <= 0)
            throw new InvalidOperationException("LocalFineTune:Downloads:MaxBytes and TimeoutSeconds must be positive.");
        if (options.Validation.Concurrency < 1 || options.Validation.TimeoutSeconds <= 0 || options.Validation.MaxExampleCharacters < 0)
            throw new InvalidOperationException($"{DatasetValidationSettings.Section}: Concurrency must be 1 or more (default 2), TimeoutSeconds positive " +
                "(default 600) and MaxExampleCharacters 0 (no bound) or more (default 100000).");
        options.Profile = options.Profile.Trim().ToLowerInvariant();
        options.Role = options.Role.Trim().ToLowerInvariant();
        if (options.Profile is not ("sqlite" or "postgres" or "memory"))
            throw new InvalidOperationException($"LocalFineTune:Profile '{options.Profile}' is unknown; use sqlite (default), postgres or memory.");
        if (options.Role is not ("all" or "api" or "worker"))
            throw new InvalidOperationException($"LocalFineTune:Role '{options.Role}' is unknown; use all (default), api or worker (--role).");
        if (options.Profile == "postgres" && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
            throw new InvalidOperationException("The postgres profile needs LocalFineTune:PostgresConnectionString (--postgres \"Host=…;Username=…;Password=…;Database=…\").");
        if (options.Role != "all" && options.Profile != "postgres")
            throw new InvalidOperationException($"--role {options.Role} needs the postgres profile: with {options.Profile} the queue lives in this one process.");
        options.ModelsRoot = Path.GetFullPath(options.ModelsRoot);
        options.DataRoot = Path.GetFullPath(options.DataRoot);
        options.StateFolder = Path.GetFullPath(options.StateFolder);
        options.ApiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey.Trim();
        return options;
    }
}
