using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalFineTune.Tokenizers.Tests;

/// <summary>One reference result written by scripts/tokenizers/generate-golden.js.</summary>
public sealed record GoldenCase(string Text, bool AddSpecialTokens, int[] Ids, string Decoded, string? DecodedSkipSpecial, int[][]? Offsets);

/// <summary>Loads golden files and builds the tokenizer each one describes.</summary>
public static class GoldenFiles
{
    public static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static IEnumerable<object[]> Names() =>
        Directory.GetFiles(Dir("Golden"), "*.json").Select(Path.GetFileNameWithoutExtension).Order().Select(n => new object[] { n! });

    public static JsonObject Read(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Dir("Golden"), name + ".json")))!.AsObject();

    public static List<GoldenCase> Cases(JsonObject golden) =>
        golden["cases"]!.AsArray().Select(c => new GoldenCase(
            c!["text"]!.GetValue<string>(), c["addSpecialTokens"]!.GetValue<bool>(),
            c["ids"]!.AsArray().Select(i => i!.GetValue<int>()).ToArray(), c["decoded"]!.GetValue<string>(),
            c["decodedSkipSpecial"]?.GetValue<string>(),
            c["offsets"]?.AsArray().Select(o => o!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray())).ToList();

    private static readonly ConcurrentDictionary<string, Tokenizer> Cache = new();

    public static Tokenizer TokenizerFor(JsonObject golden)
    {
        var name = golden["name"]!.GetValue<string>();
        return Cache.GetOrAdd(name, _ => Build(golden));
    }

    private static Tokenizer Build(JsonObject golden)
    {
        var baseName = golden["tokenizer"]!.GetValue<string>();
        if (golden["loader"]!.GetValue<string>() == "vocab+merges")
            return Tokenizer.FromVocabAndMerges(TestData("tiny-gpt2/vocab.json"), TestData("tiny-gpt2/merges.txt"));
        var json = JsonNode.Parse(BaseTokenizerJson(baseName))!.AsObject();
        if (golden["overrides"] is JsonObject overrides)
            foreach (var (key, value) in overrides) json[key] = value?.DeepClone();
        var model = json["model"]!.AsObject();
        if (golden["modelOverrides"] is JsonObject modelOverrides)
            foreach (var (key, value) in modelOverrides) model[key] = value?.DeepClone();
        if (golden["mergesAsPairs"]?.GetValue<bool>() == true)
            model["merges"] = new JsonArray(model["merges"]!.AsArray()
                .Select(m => (JsonNode)new JsonArray(m!.GetValue<string>().Split(' ').Select(p => (JsonNode)JsonValue.Create(p)!).ToArray())).ToArray());
        return Tokenizer.FromTokenizerJsonText(json.ToJsonString());
    }

    public static string TestData(string relative) => Path.Combine(Dir("TestData"), relative);

    public static string BaseTokenizerJson(string baseName)
    {
        var plain = TestData($"{baseName}.tokenizer.json");
        if (File.Exists(plain)) return File.ReadAllText(plain);
        return Gunzip(TestData($"{baseName}.tokenizer.json.gz"));
    }

    public static string Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    /// <summary>Writes a real tokenizer (decompressed) into a fresh folder, as a model folder would hold it.</summary>
    public static string MaterializeModelFolder(string baseName)
    {
        var dir = Path.Combine(Path.GetTempPath(), "lft-tok-" + baseName + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), BaseTokenizerJson(baseName));
        var config = TestData($"{baseName}.tokenizer_config.json");
        if (File.Exists(config)) File.Copy(config, Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }
}
