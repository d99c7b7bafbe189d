using System.Text.Json;

namespace TokenizerBench;

/// <summary>
/// A few MB of mixed text: the .NET SDK's XML API docs (English prose, code, markup) with the
/// multilingual golden corpus (French, CJK, emoji, code, whitespace runs) mixed in every tenth document.
/// </summary>
internal static class Corpus
{
    public static List<string> Build(string repoRoot, int megabytes)
    {
        var golden = GoldenTexts(repoRoot);
        var docs = new List<string>();
        long bytes = 0;
        var goldenIndex = 0;
        foreach (var paragraph in SdkDocParagraphs().Concat(Enumerable.Repeat(golden, 10_000).SelectMany(g => g)))
        {
            var doc = docs.Count % 10 == 9 ? golden[goldenIndex++ % golden.Count] : paragraph;
            docs.Add(doc);
            bytes += System.Text.Encoding.UTF8.GetByteCount(doc);
            if (bytes >= megabytes * 1_000_000L) break;
        }
        return docs;
    }

    /// <summary>The distinct documents of the corpus, in order.</summary>
    public static List<string> Distinct(List<string> docs) => docs.Distinct().ToList();

    /// <summary>The corpus's ASCII letters with everything else removed, repeated up to length chars.</summary>
    public static string Letters(List<string> docs, int length)
    {
        var builder = new System.Text.StringBuilder(length);
        while (builder.Length < length)
            foreach (var doc in docs)
            {
                foreach (var c in doc) if (char.IsAsciiLetter(c) && builder.Length < length) builder.Append(c);
                if (builder.Length >= length) break;
            }
        return builder.ToString();
    }

    private static List<string> GoldenTexts(string repoRoot)
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(repoRoot, "tests/LocalFineTune.Tokenizers.Tests/Golden/gpt2.json")));
        return golden.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => c.GetProperty("text").GetString()!).Where(t => t.Length > 0).Distinct().ToList();
    }

    /// <summary>Blocks of ~40 lines from the reference-pack XML docs shipped with the SDK.</summary>
    private static IEnumerable<string> SdkDocParagraphs()
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "../../.."));
        var packs = Path.Combine(dotnetRoot, "packs");
        if (!Directory.Exists(packs)) yield break;
        foreach (var file in Directory.EnumerateFiles(packs, "*.xml", SearchOption.AllDirectories).Order())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i += 40)
                yield return string.Join('\n', lines.Skip(i).Take(40));
        }
    }
}
