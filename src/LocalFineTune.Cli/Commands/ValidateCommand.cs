using System.CommandLine;
using System.Text.Json;
using LocalFineTune.Datasets.Preferences;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Datasets.Validation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft validate --data FILE [--model DIR] [--json]`: reads a dataset and prints the validation report that
/// training would refuse it with. With a model, token figures use the model's tokenizer and context length.
/// Exit code: 0 valid, 1 invalid data, 2 the model folder could not be used.
/// </summary>
internal static class ValidateCommand
{
    private const int InvalidData = 1;
    private const int UnusableModel = 2;

    private static readonly Option<string> Data = new("--data")
    { Description = "Dataset: a .csv, a .jsonl, or a folder of them", Required = true };
    private static readonly Option<string?> Model = new("--model")
    { Description = "Model folder, or a name under models/base/, for token counts and the context length" };
    private static readonly Option<int?> MaxSeqLength = new("--max-seq-length")
    { Description = "Context length to check against (default: the model's)" };
    private static readonly Option<int> Epochs = new("--epochs")
    { Description = "Epochs, for the total training tokens", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> MinExamples = new("--min-examples")
    { Description = "Fewest training examples accepted", DefaultValueFactory = _ => 10 };
    private static readonly Option<double> ValidationSplit = new("--validation-split")
    { Description = "Fraction held out for validation, e.g. 0.1" };
    private static readonly Option<string?> ValidationFile = new("--validation-file")
    { Description = "Separate validation dataset" };
    private static readonly Option<string?> Delimiter = new("--delimiter")
    { Description = "CSV delimiter: ',', ';' or 'tab' (default: detected from the header)" };
    private static readonly Option<bool> Preferences = new("--preferences")
    { Description = "Preference data for DPO (OpenAI preference JSONL, TRL prompt/chosen/rejected, CSV prompt,chosen,rejected)" };
    private static readonly Option<bool> Json = new("--json")
    { Description = "Print the report as JSON (snake_case keys)" };

    public static Command Create()
    {
        var command = new Command("validate", "Check a dataset and print every problem with its line or row, before training.");
        foreach (var option in new Option[] { Data, Model, MaxSeqLength, Epochs, MinExamples, ValidationSplit, ValidationFile, Delimiter, Preferences, Json })
            command.Options.Add(option);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var model = parse.GetValue(Model);
        var modelDir = model is null ? null : ResolveModelFolder(model);
        if (model is not null && modelDir is null) return UnusableModel;
        Tokenizer? tokenizer = null;
        int? contextLength = null;
        if (modelDir is not null && !TryLoadModelInfo(modelDir, out tokenizer, out contextLength)) return UnusableModel;
        if (!TryParseDelimiter(parse.GetValue(Delimiter), out var delimiter)) return UnusableModel;

        var options = new DatasetReadOptions
        {
            CsvDelimiter = delimiter,
            ValidationSplit = parse.GetValue(ValidationSplit),
            ValidationFile = parse.GetValue(ValidationFile),
            Validation = new ValidationOptions
            {
                MinExamples = parse.GetValue(MinExamples),
                Epochs = parse.GetValue(Epochs),
                CountTokens = tokenizer is null ? null : text => tokenizer.CountTokens(text),
                MaxSeqLength = parse.GetValue(MaxSeqLength) ?? contextLength,
            },
        };
        var report = parse.GetValue(Preferences)
            ? PreferenceReader.Read(parse.GetValue(Data)!, options).Report
            : DatasetReader.Read(parse.GetValue(Data)!, options).Report;
        Console.Out.Write(parse.GetValue(Json) ? report.ToJson() + Environment.NewLine : report.ToText());
        return report.IsValid ? 0 : InvalidData;
    }

    /// <summary>A path that exists is used as is; otherwise a bare name means models/base/&lt;name&gt;/.</summary>
    private static string? ResolveModelFolder(string model)
    {
        try
        {
            return ModelLocator.Resolve(model);
        }
        catch (DirectoryNotFoundException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    private static bool TryLoadModelInfo(string modelDir, out Tokenizer? tokenizer, out int? contextLength)
    {
        tokenizer = null;
        contextLength = null;
        try
        {
            tokenizer = Tokenizer.FromFolder(modelDir);
            contextLength = ReadContextLength(modelDir);
            return true;
        }
        catch (Exception e) when (e is IOException or JsonException or NotSupportedException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: cannot use model '{modelDir}': {e.Message}");
            Console.Error.WriteLine("hint: pass a Hugging Face model folder (tokenizer files and config.json), or a name under models/base/");
            return false;
        }
    }

    /// <summary>The context length from config.json, under the names GPT-2 and Llama-style configs use.</summary>
    private static int? ReadContextLength(string modelDir)
    {
        var configPath = Path.Combine(modelDir, "config.json");
        if (!File.Exists(configPath)) return null;
        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        foreach (var key in new[] { "max_position_embeddings", "n_positions", "n_ctx" })
        {
            if (config.RootElement.TryGetProperty(key, out var value) && value.TryGetInt32(out var length)) return length;
        }
        return null;
    }

    private static bool TryParseDelimiter(string? text, out char? delimiter)
    {
        try
        {
            delimiter = CsvDelimiters.Parse(text);
            return true;
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            delimiter = null;
            return false;
        }
    }
}
