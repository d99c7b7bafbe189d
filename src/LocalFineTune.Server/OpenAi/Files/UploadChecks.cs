using System.Text;
using System.Text.Json;
using LocalFineTune.Server.OpenAi.Common;

namespace LocalFineTune.Server.OpenAi.Files;

/// <summary>
/// The cheap shape check at upload (OpenAI does the same): every non-blank JSONL line is one JSON object. The full
/// dataset validation (roles, assistant messages, example count) runs when a job starts, with OpenAI's codes.
/// </summary>
public static class UploadChecks
{
    private const int MaxReportedLines = 5;

    /// <summary>".jsonl" or ".csv" from the file name; 400 for anything else.</summary>
    public static string ExtensionFor(string filename)
    {
        var extension = Path.GetExtension(filename).ToLowerInvariant();
        return extension switch
        {
            ".jsonl" or ".json" => ".jsonl",
            ".csv" => ".csv",
            _ => throw OpenAiException.BadRequest(
                $"Invalid file format for fine-tuning: '{filename}'. Upload a .jsonl file (one JSON object per line: " +
                "{\"messages\": [...]} or {\"prompt\": ..., \"completion\": ...}) or a .csv file.", "file", "invalid_file_format"),
        };
    }

    public static void CheckJsonl(string path, string filename)
    {
        var bad = new List<string>();
        var lineNumber = 0;
        var objects = 0;
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        try
        {
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                if (IsJsonObject(line)) objects++;
                else if (bad.Count < MaxReportedLines) bad.Add($"line {lineNumber} is not a JSON object");
            }
        }
        catch (DecoderFallbackException)
        {
            throw OpenAiException.BadRequest($"Invalid file format: '{filename}' is not UTF-8 text (line {lineNumber + 1}). Save it as UTF-8.", "file", "invalid_file_format");
        }
        if (bad.Count > 0)
        {
            throw OpenAiException.BadRequest($"Invalid file format: {string.Join("; ", bad)} in '{filename}'. " +
                "Each line of a .jsonl file must be one complete JSON object, e.g. {\"messages\": [{\"role\": \"user\", \"content\": \"…\"}, " +
                "{\"role\": \"assistant\", \"content\": \"…\"}]}.", "file", "invalid_file_format");
        }
        if (objects == 0)
        {
            throw OpenAiException.BadRequest($"'{filename}' holds no examples. Put one JSON object per line.", "file", "invalid_file_format");
        }
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
