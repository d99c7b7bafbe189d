using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using LocalFineTune.Models.Evaluation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft eval --model DIR --data FILE [--json] [--device auto|cpu|cuda]`: mean next-token cross-entropy of each
/// record (tokenized without special tokens, EOS appended, cut to the context length), its perplexity and
/// the number of scored tokens. Exit code: 0 done, 1 unusable data, 2 unusable model.
/// </summary>
internal static class EvalCommand
{
    private const int UnusableData = 1;
    private const int UnusableModel = 2;

    private static readonly Option<string> Model = new("--model")
    { Description = "Model folder, a name under models/base/, or \"latest\" (newest fine-tuned model)", Required = true };
    private static readonly Option<string> Data = new("--data")
    { Description = "Records to score: .txt (one per line), .jsonl ({\"text\": …}) or .csv (text column)", Required = true };
    private static readonly Option<int> BatchSize = new("--batch-size")
    { Description = "Records per forward pass", DefaultValueFactory = _ => 8 };
    private static readonly Option<string> DeviceOption = new("--device")
    { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print {\"loss\", \"perplexity\", \"tokens\"} as JSON" };

    public static Command Create()
    {
        var command = new Command("eval", "Score a model on text records: mean next-token loss, perplexity, token count.");
        foreach (var option in new Option[] { Model, Data, BatchSize, DeviceOption, Json }) command.Options.Add(option);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        List<string> records;
        try { records = ReadRecords(parse.GetValue(Data)!); }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or CsvHelperException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot read --data: {e.Message}");
            return UnusableData;
        }
        if (!CliModel.TryLoad(parse.GetValue(Model)!, parse.GetValue(DeviceOption)!, out var loaded)) return UnusableModel;
        using (loaded)
        {
            EvaluationResult result;
            try { result = Evaluator.Evaluate(loaded!, records, parse.GetValue(BatchSize)); }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return UnusableData;
            }
            Console.Out.WriteLine(parse.GetValue(Json)
                ? JsonSerializer.Serialize(new { loss = result.Loss, perplexity = result.Perplexity, tokens = result.Tokens })
                : FormattableString.Invariant($"loss {result.Loss:F4}  perplexity {result.Perplexity:F2}  tokens {result.Tokens}"));
            return 0;
        }
    }

    /// <summary>One string per record, by file extension.</summary>
    internal static List<string> ReadRecords(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".txt" => File.ReadLines(path).Where(l => l.Trim().Length > 0).ToList(),
            ".jsonl" => File.ReadLines(path).Select((line, i) => (line, i)).Where(x => x.line.Trim().Length > 0)
                .Select(x => JsonlText(x.line, x.i + 1)).ToList(),
            ".csv" => CsvTexts(path),
            var other => throw new InvalidDataException($"'{other}' files are not supported: use .txt (one record per line), .jsonl or .csv."),
        };
    }

    private static string JsonlText(string line, int lineNumber)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("text", out var text)
               && text.ValueKind == JsonValueKind.String
            ? text.GetString()!
            : throw new InvalidDataException($"line {lineNumber}: expected an object with a string \"text\" field.");
    }

    private static List<string> CsvTexts(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = true });
        if (!csv.Read() || !csv.ReadHeader() || !csv.HeaderRecord!.Contains("text"))
            throw new InvalidDataException("the CSV needs a header row with a \"text\" column.");
        var texts = new List<string>();
        while (csv.Read()) texts.Add(csv.GetField("text") ?? "");
        return texts.Where(t => t.Trim().Length > 0).ToList();
    }
}

/// <summary>Model loading shared by eval and generate: resolve the name, pick the device, report failures with a hint.</summary>
internal static class CliModel
{
    public static bool TryLoad(string nameOrPath, string deviceText, out LoadedModel? loaded)
    {
        loaded = null;
        try
        {
            var device = Device.Parse(deviceText);
            loaded = HfModelFolder.Load(ModelLocator.Resolve(nameOrPath), device);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException
                                   or JsonException or CheckpointMismatchException or SafeTensors.SafeTensorsException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: cannot use model '{nameOrPath}': {e.Message}");
            Console.Error.WriteLine("hint: pass a Hugging Face GPT-2 folder (config.json, model.safetensors, tokenizer files), " +
                                    "a name under models/base/, or \"latest\"");
            return false;
        }
    }
}
