using System.Text.Json;
using LocalFineTune.Tokenizers.Loading;

namespace LocalFineTune.Tokenizers.Models;

internal sealed partial class BpeModel
{
    public static BpeModel FromJson(JsonElement model)
    {
        var type = ComponentJson.TypeOf(model, "model");
        if (type != "BPE")
            throw ComponentJson.Unsupported("model", type, "BPE (the model of GPT-2, Llama, Mistral, Qwen)");
        var vocab = new Dictionary<string, int>();
        var vocabJson = ComponentJson.Property(model, "vocab") ?? throw new FormatException("tokenizer.json: model.vocab is missing.");
        foreach (var entry in vocabJson.EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();
        var merges = ComponentJson.Property(model, "merges") is { } mergesJson
            ? mergesJson.EnumerateArray().Select((merge, rank) => ParseMerge(merge, rank)).ToList()
            : [];
        return new BpeModel(vocab, merges, BpeOptions.FromJson(model));
    }

    /// <summary>Both HF merges formats: "a b" (older files) and ["a", "b"] (tokenizers ≥ 0.20).</summary>
    private static (string Left, string Right) ParseMerge(JsonElement merge, int rank)
    {
        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
            return (merge[0].GetString()!, merge[1].GetString()!);
        if (merge.ValueKind == JsonValueKind.String) return SplitMergeLine(merge.GetString()!, rank);
        throw new FormatException($"tokenizer.json: merge #{rank} must be \"a b\" or [\"a\", \"b\"].");
    }

    public static (string Left, string Right) SplitMergeLine(string line, int rank)
    {
        var space = line.IndexOf(' ');
        if (space <= 0 || space != line.LastIndexOf(' '))
            throw new FormatException($"merges: line #{rank} '{line}' must be two tokens separated by one space.");
        return (line[..space], line[(space + 1)..]);
    }

    /// <summary>GPT-2's legacy files: vocab.json {token: id} and merges.txt ("#version" header, then "a b" lines).</summary>
    public static BpeModel FromVocabAndMerges(string vocabJsonPath, string mergesTxtPath, BpeOptions options)
    {
        using var vocabStream = File.OpenRead(vocabJsonPath);
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabStream)
            ?? throw new FormatException($"{vocabJsonPath}: expected a JSON object of token → id.");
        var merges = File.ReadLines(mergesTxtPath)
            .Where(line => line.Length > 0 && !line.StartsWith("#version"))
            .Select((line, rank) => SplitMergeLine(line, rank)).ToList();
        return new BpeModel(vocab, merges, options);
    }
}
