using System.CommandLine;
using System.Text.Json;
using LocalFineTune.Models.Generation;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft generate --model DIR --prompt P [--max-new-tokens N] [--temperature T] [--top-p P] [--top-k K]
/// [--repetition-penalty R] [--stop S]… [--seed S] [--json] [--device auto|cpu|cuda]`: streams the continuation
/// to stdout as it is produced; with --json prints {"text", "ids"} (generated ids only) at the end.
/// Exit code: 0 done, 1 bad options, 2 unusable model.
/// </summary>
internal static class GenerateCommand
{
    private static readonly Option<string> Model = new("--model")
    { Description = "Model folder, a name under models/base/, or \"latest\" (newest fine-tuned model)", Required = true };
    private static readonly Option<string> Prompt = new("--prompt") { Description = "Text to continue", Required = true };
    private static readonly Option<int> MaxNewTokens = new("--max-new-tokens")
    { Description = "Most tokens to generate", DefaultValueFactory = _ => 64 };
    private static readonly Option<double> Temperature = new("--temperature")
    { Description = "0 = greedy (default); otherwise sampling temperature" };
    private static readonly Option<double> TopP = new("--top-p") { Description = "Nucleus sampling mass, (0, 1]", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<int> TopK = new("--top-k") { Description = "Sample among the k likeliest tokens; 0 = off" };
    private static readonly Option<double> RepetitionPenalty = new("--repetition-penalty")
    { Description = "> 1 discourages repeating tokens; 1 = off", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<string[]> Stop = new("--stop") { Description = "Stop before this text (repeatable)" };
    private static readonly Option<ulong?> Seed = new("--seed") { Description = "Seed for reproducible sampling" };
    private static readonly Option<string> DeviceOption = new("--device")
    { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print {\"text\", \"ids\"} instead of streaming" };

    public static Command Create()
    {
        var command = new Command("generate", "Continue a prompt with a model, streaming the text.");
        foreach (var option in new Option[] { Model, Prompt, MaxNewTokens, Temperature, TopP, TopK, RepetitionPenalty, Stop, Seed, DeviceOption, Json })
            command.Options.Add(option);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        GenerationOptions options;
        try
        {
            options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(MaxNewTokens),
                Temperature = parse.GetValue(Temperature),
                TopP = parse.GetValue(TopP),
                TopK = parse.GetValue(TopK),
                RepetitionPenalty = parse.GetValue(RepetitionPenalty),
                StopStrings = parse.GetValue(Stop) ?? [],
                Seed = parse.GetValue(Seed),
            }.Validate();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        if (!CliModel.TryLoad(parse.GetValue(Model)!, parse.GetValue(DeviceOption)!, out var loaded)) return 2;
        using (loaded)
        {
            var generator = new TextGenerator(loaded!.Model, loaded.Tokenizer);
            var json = parse.GetValue(Json);
            Action<string>? stream = json ? null : piece => { Console.Out.Write(piece); Console.Out.Flush(); };
            var result = generator.Generate(parse.GetValue(Prompt)!, options, stream);
            Console.Out.WriteLine(json ? JsonSerializer.Serialize(new { text = result.Text, ids = result.Ids }) : "");
            // A short answer from a small model looks like a hang or a bug; say why it ended (stderr keeps stdout the text).
            if (!json) Console.Error.WriteLine(Summary(result, loaded.Tokenizer.EosTokenId));
            return 0;
        }
    }

    internal static string Summary(GenerationResult result, int? eosTokenId)
    {
        var why = result.FinishReason == GenerationResult.Length
            ? "reached --max-new-tokens"
            : result.Ids.Count > 0 && result.Ids[^1] == eosTokenId ? "stopped at the end-of-text token" : "stopped at a --stop string";
        return $"({result.Ids.Count} tokens; {why})";
    }
}
