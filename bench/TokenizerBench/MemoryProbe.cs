using LocalFineTune.Tokenizers;

namespace TokenizerBench;

/// <summary>
/// Ours only: encodes batches of documents made of never-seen words (random letters, seeded) and
/// reports the managed heap, the process's resident set and the word cache after each batch.
/// A bounded cache makes all three level off however many distinct words come in.
/// </summary>
internal static class MemoryProbe
{
    public static void Run(IReadOnlyList<BenchTokenizer> tokenizers, int batches, int wordsPerBatch)
    {
        Console.WriteLine($"\n## memory while encoding never-seen words: {batches} batches of {wordsPerBatch:N0} distinct words each");
        Console.WriteLine($"{"tokenizer",-10} {"after batch",12} {"heap MB",8} {"RSS MB",8} {"cached words",13} {"cached units",13}");
        foreach (var bench in tokenizers)
        {
            var tokenizer = bench.LoadOurs();
            var random = new Random(7);
            for (var batch = 1; batch <= batches; batch++)
            {
                for (var doc = 0; doc < wordsPerBatch / 20; doc++) tokenizer.Encode(RandomWords(random, 20));
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var heap = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
                var rss = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 / 1e6;
                Console.WriteLine($"{bench.Name,-10} {batch,12} {heap,8:F1} {rss,8:F0} {tokenizer.CachedWordCount,13:N0} {tokenizer.CachedWordUnits,13:N0}");
            }
        }
    }

    private static string RandomWords(Random random, int count)
    {
        var words = new string[count];
        for (var i = 0; i < count; i++)
            words[i] = string.Create(random.Next(5, 12), random, (chars, r) => { for (var c = 0; c < chars.Length; c++) chars[c] = (char)('a' + r.Next(26)); });
        return string.Join(' ', words);
    }
}
