using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft schedule add|list|remove|run-now`: recurring trainings on a running server (POST/GET/DELETE
/// /api/finetune/schedules). The server validates everything; its 400s are printed as it words them.
/// </summary>
internal static class ScheduleCommand
{
    private static readonly Option<string> Server = new("--server")
    {
        Description = "The service's URL (default $LFT_SERVER, else " + ScheduleClient.DefaultServer + ")",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("LFT_SERVER") ?? ScheduleClient.DefaultServer,
        Recursive = true,
    };
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = "The service's API key (default $LFT_API_KEY)", Recursive = true };

    // Relaxed escaping: times print as "+01:00", not "\u002B01:00".
    private static readonly JsonSerializerOptions Printed = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("schedule", "Recurring trainings on a running server (the monthly retrain): add, list, remove, run-now.");
        command.Options.Add(Server);
        command.Options.Add(ApiKey);
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(WithId("remove", "Delete a schedule (its jobs and models stay).", (c, id) => c.RemoveAsync(id)));
        command.Subcommands.Add(WithId("run-now", "Run a schedule now; prints the job it started.", (c, id) => c.RunNowAsync(id)));
        return command;
    }

    private static Command Add()
    {
        var cron = new Option<string>("--cron") { Description = "Five-field cron, e.g. \"0 3 1 * *\" (03:00 on the 1st)", Required = true };
        var zone = new Option<string>("--time-zone") { Description = "IANA time zone of the cron", DefaultValueFactory = _ => "UTC" };
        var model = new Option<string>("--model") { Description = "Base model, e.g. gpt2", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "dataset_url; may hold a date pattern: data/frigo_{yyyy-MM}.csv", Required = true };
        var name = new Option<string?>("--name") { Description = "A label" };
        var continueFrom = new Option<string?>("--continue-from") { Description = "\"latest\": train from the base's promoted latest fine-tune" };
        var promote = new Option<string?>("--promote") { Description = "always (default) or if_better" };
        var holdout = new Option<string?>("--holdout") { Description = "Fixed holdout file under the data root (required by if_better)" };
        var set = new Option<string[]>("--set") { Description = "A job option key=value (repeatable): --set epochs=3 --set learning_rate=2e-5", AllowMultipleArgumentsPerToken = false };
        var add = new Command("add", "Create a schedule.") { cron, zone, model, dataset, name, continueFrom, promote, holdout, set };
        add.SetAction(parse => Run(parse, async client =>
        {
            var job = new JsonObject { ["model"] = parse.GetValue(model), ["dataset_url"] = parse.GetValue(dataset) };
            foreach (var pair in parse.GetValue(set) ?? []) AddOption(job, pair);
            var body = new JsonObject { ["cron"] = parse.GetValue(cron), ["time_zone"] = parse.GetValue(zone), ["job"] = job };
            AddIfGiven(body, "name", parse.GetValue(name));
            AddIfGiven(body, "continue_from", parse.GetValue(continueFrom));
            AddIfGiven(body, "promote", parse.GetValue(promote));
            AddIfGiven(body, "holdout", parse.GetValue(holdout));
            return await client.AddAsync(body);
        }));
        return add;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print the server's JSON" };
        var list = new Command("list", "List schedules with their next and last run.") { json };
        list.SetAction(parse => Run(parse, async client =>
        {
            var answer = await client.ListAsync();
            if (parse.GetValue(json)) return answer;
            var table = new Table().AddColumns("id", "name", "cron", "time_zone", "model", "dataset_url", "promote", "next_run_at", "last_run_at", "last_job_id");
            foreach (var s in answer["schedules"]!.AsArray())
                table.AddRow(new[] { "id", "name", "cron", "time_zone" }.Select(k => Text(s![k]))
                    .Concat([Text(s!["job"]!["model"]), Text(s["job"]!["dataset_url"]), Text(s["promote"]), Text(s["next_run_at"]), Text(s["last_run_at"]), Text(s["last_job_id"])])
                    .Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            return null;
        }));
        return list;
    }

    private static Command WithId(string verb, string description, Func<ScheduleClient, string, Task<JsonNode>> call)
    {
        var id = new Argument<string>("id") { Description = "The schedule id (lft schedule list)" };
        var command = new Command(verb, description) { id };
        command.SetAction(parse => Run(parse, async client => await call(client, parse.GetValue(id)!)));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, Func<ScheduleClient, Task<JsonNode?>> call)
    {
        try
        {
            using var client = new ScheduleClient(parse.GetValue(Server)!, parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("LFT_API_KEY"));
            if (await call(client) is { } answer) Console.WriteLine(answer.ToJsonString(Printed));
            return 0;
        }
        catch (ScheduleClientException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>key=value; the value is JSON when it parses (numbers, true, null, objects), else a string.</summary>
    private static void AddOption(JsonObject job, string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new ScheduleClientException($"--set '{pair}' must be key=value, e.g. --set epochs=3.");
        var value = pair[(eq + 1)..];
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            node = JsonValue.Create(value);
        }
        job[pair[..eq].Trim()] = node;
    }

    private static void AddIfGiven(JsonObject body, string key, string? value)
    {
        if (value is not null) body[key] = value;
    }

    private static string Text(JsonNode? node) => node is null ? "" : node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();
}
