using System.IO.Compression;
using LocalFineTune.Tokenizers;

namespace TokenizerBench;

/// <summary>A tokenizer both sides load: ours from its model files, the native library from tokenizer.json.</summary>
internal sealed record BenchTokenizer(string Name, string TokenizerJson, Func<Tokenizer> LoadOurs);

internal static class BenchTokenizers
{
    public static readonly string[] All = ["gpt2", "llama3", "qwen3", "llama2"];

    /// <summary>gpt2/llama3/qwen3: the real files; llama2: the SentencePiece-style test tokenizer made with
    /// the reference library (Prepend + Replace normalizer, no pre-tokenizer, byte_fallback): a whole
    /// document is one word, as for Llama-2 and Mistral.</summary>
    public static BenchTokenizer Get(string repoRoot, string name)
    {
        var testData = Path.Combine(repoRoot, "tests/LocalFineTune.Tokenizers.Tests/TestData");
        var json = name switch
        {
            "llama2" => Path.Combine(testData, "spm-llama2.tokenizer.json"),
            "gpt2" or "llama3" or "qwen3" => Gunzip(Path.Combine(testData, $"{name}.tokenizer.json.gz"), name),
            _ => throw new ArgumentException($"Unknown tokenizer '{name}'. Use {string.Join(", ", All)} or all."),
        };
        Func<Tokenizer> ours = name == "gpt2"
            ? () => Tokenizer.FromFolder(Path.Combine(repoRoot, "models/base/tiny-gpt2"))
            : () => Tokenizer.FromTokenizerJson(json);
        return new BenchTokenizer(name, json, ours);
    }

    private static string Gunzip(string gz, string name)
    {
        var target = Path.Combine(Path.GetTempPath(), $"lft-bench-{name}.tokenizer.json");
        using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var output = File.Create(target);
        input.CopyTo(output);
        return target;
    }
}
