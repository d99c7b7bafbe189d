using System.CommandLine;
using LocalFineTune.Server;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft serve`: runs the fine-tuning service (the /api/finetune HTTP API) on http://127.0.0.1:5002 by default.
/// The named options map to configuration keys. Any other configuration key goes through the explicit form
/// `--set Section:Key=value` (or its short spelling `--Section:Key=value`, with the colon), e.g.
/// `--set LocalFineTune:Downloads:AllowedHosts:0=data.example.com`. Anything else is refused with a suggestion, so a
/// typo such as `--url` never starts the service on the default address.
/// </summary>
internal static class ServeCommand
{
    private static readonly Option<string?> Urls = new("--urls") { Description = "Listen address(es); default http://127.0.0.1:5002" };
    private static readonly Option<string?> ModelsRoot = new("--models-root") { Description = "Folder with base/<name>/ and the fine-tuned outputs (default: models)" };
    private static readonly Option<string?> DataRoot = new("--data-root") { Description = "Relative dataset_url paths resolve under this folder (default: .)" };
    private static readonly Option<string?> State = new("--state") { Description = "State folder: jobs.db, downloads (default: state)" };
    private static readonly Option<string?> Devices = new("--devices") { Description = "Comma-separated devices, e.g. cuda:0,cpu (default: cpu)" };
    private static readonly Option<int?> Concurrency = new("--concurrency") { Description = "Trainings at once per device (default: 1)" };
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = "Require 'Authorization: Bearer <key>' on every route but /health" };
    private static readonly Option<string?> Profile = new("--profile")
    { Description = "Job storage: sqlite (default, one machine), postgres (several machines share one queue) or memory" };
    private static readonly Option<string?> Postgres = new("--postgres")
    { Description = "PostgreSQL connection string for --profile postgres, e.g. \"Host=db;Username=lft;Password=…;Database=lft\"" };
    private static readonly Option<string?> Role = new("--role")
    { Description = "all (default): HTTP and training; api: HTTP only; worker: training only" };
    private static readonly Option<string[]> Set = new("--set")
    {
        Description = "Any configuration key, as Section:Key=value (repeatable), e.g. LocalFineTune:Downloads:AllowedHosts:0=data.example.com",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the fine-tuning HTTP service (POST /api/finetune/start, status, models, generate).");
        foreach (var option in new Option[] { Urls, ModelsRoot, DataRoot, State, Devices, Concurrency, ApiKey, Profile, Postgres, Role, Set })
            command.Options.Add(option);
        command.Validators.Add(result =>
        {
            foreach (var pair in result.GetValue(Set) ?? [])
            {
                if (!IsKeyValue(pair))
                    result.AddError($"--set '{pair}' is not Section:Key=value; e.g. --set LocalFineTune:Downloads:AllowedHosts:0=data.example.com");
            }
        });
        command.SetAction((parse, cancellation) => ServerApp.RunAsync(ToServerArgs(parse), cancellation));
        return command;
    }

    /// <summary>
    /// `lft serve --Section:Key=value` (a configuration key, recognised by its colon) is the short spelling of
    /// `--set Section:Key=value`; rewritten before parsing so that every other unknown token is an error.
    /// </summary>
    public static string[] ExpandConfigurationKeys(string[] args)
    {
        if (args.Length == 0 || args[0] != "serve") return args;
        var expanded = new List<string> { args[0] };
        foreach (var arg in args.Skip(1))
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && IsKeyValue(arg[2..]) && arg.IndexOf(':') < arg.IndexOf('='))
            {
                expanded.Add("--set");
                expanded.Add(arg[2..]);
            }
            else
            {
                expanded.Add(arg);
            }
        }
        return [.. expanded];
    }

    private static bool IsKeyValue(string pair) => pair.IndexOf('=') > 0;

    private static string[] ToServerArgs(ParseResult parse)
    {
        var args = new List<string>();
        void Add(string name, object? value)
        {
            if (value is not null) args.Add($"{name}={value}");
        }
        Add("--urls", parse.GetValue(Urls));
        Add("--models-root", parse.GetValue(ModelsRoot));
        Add("--data-root", parse.GetValue(DataRoot));
        Add("--state", parse.GetValue(State));
        Add("--devices", parse.GetValue(Devices));
        Add("--concurrency", parse.GetValue(Concurrency));
        Add("--api-key", parse.GetValue(ApiKey));
        Add("--profile", parse.GetValue(Profile));
        Add("--postgres", parse.GetValue(Postgres));
        Add("--role", parse.GetValue(Role));
        foreach (var pair in parse.GetValue(Set) ?? []) args.Add("--" + pair);
        return [.. args];
    }
}
