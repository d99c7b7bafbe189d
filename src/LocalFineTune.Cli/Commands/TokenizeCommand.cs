using System.CommandLine;
using System.Text.Json;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Cli.Commands;

/// <summary>`lft tokenize --model DIR (--text T | --file F) [--json]`: prints the ids the model's tokenizer gives.</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder holding tokenizer.json, or vocab.json + merges.txt", Required = true };
        var text = new Option<string?>("--text") { Description = "Text to tokenize" };
        var file = new Option<string?>("--file") { Description = "UTF-8 file whose whole content is tokenized" };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\":[...]} instead of space-separated ids" };
        var command = new Command("tokenize", "Tokenize text exactly as the model's tokenizer does (special tokens only where its config adds them).");
        command.Options.Add(model);
        command.Options.Add(text);
        command.Options.Add(file);
        command.Options.Add(json);
        command.SetAction(parseResult => Run(parseResult.GetValue(model)!, parseResult.GetValue(text), parseResult.GetValue(file), parseResult.GetValue(json)));
        return command;
    }

    private static int Run(string modelDir, string? text, string? file, bool asJson)
    {
        if ((text is null) == (file is null))
        {
            Console.Error.WriteLine("Give exactly one of --text or --file.");
            return 2;
        }
        try
        {
            var input = text ?? File.ReadAllText(file!);
            var tokenizer = Tokenizer.FromFolder(modelDir);
            // addSpecialTokens: true lets the post-processor add BOS/EOS only if the tokenizer's config asks for them.
            var ids = tokenizer.Encode(input, addSpecialTokens: true);
            Console.WriteLine(asJson ? JsonSerializer.Serialize(new { ids }) : string.Join(' ', ids));
            return 0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or NotSupportedException or PlatformNotSupportedException)
        {
            Console.Error.WriteLine($"lft tokenize: {error.Message}");
            return 1;
        }
    }
}
