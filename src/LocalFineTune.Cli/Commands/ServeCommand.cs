using System.CommandLine;
using LocalFineTune.Server;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft serve`: runs the fine-tuning service (the /api/finetune HTTP API) on http://127.0.0.1:5002 by default.
/// The named options map to configuration keys; any other `--Section:Key=value` is passed through to ASP.NET
/// configuration, e.g. `--LocalFineTune:Downloads:AllowedHosts:0=data.example.com`.
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

    public static Command Create()
    {
        var command = new Command("serve", "Run the fine-tuning HTTP service (POST /api/finetune/start, status, models, generate).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in new Option[] { Urls, ModelsRoot, DataRoot, State, Devices, Concurrency, ApiKey })
            command.Options.Add(option);
        command.SetAction((parse, cancellation) => ServerApp.RunAsync(ToServerArgs(parse), cancellation));
        return command;
    }

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
        args.AddRange(parse.UnmatchedTokens);
        return [.. args];
    }
}
