using LocalFineTune.Tokenizers;

namespace TokenizerBench;

/// <summary>MB/s of ours and the native library on the same documents, in the same run.</summary>
internal static class ThroughputBenches
{
    /// <summary>The same corpus encoded again and again: after the warm-up nearly every word is a cache hit.</summary>
    public static void Repeated(string repoRoot, IReadOnlyList<BenchTokenizer> tokenizers, List<string> docs, int runs)
    {
        var megabytes = Measure.Utf8Bytes(docs) / 1e6;
        Console.WriteLine($"\n## repeated corpus: {docs.Count} documents, {megabytes:F2} MB, one warm-up pass then {runs} timed passes (warm cache); medians");
        Header();
        foreach (var bench in tokenizers)
        {
            var tokenizer = bench.LoadOurs();
            Measure.EncodeAll(tokenizer, docs);
            var ours = Enumerable.Range(0, runs).Select(_ => Measure.EncodeAll(tokenizer, docs)).ToList();
            var native = NativePeer.Run(repoRoot, "repeated", bench.TokenizerJson, docs, runs);
            Row(bench.Name, megabytes, ours.Select(o => o.Seconds), native, ours[^1].Tokens, ours[^1].Hash);
        }
    }

    /// <summary>
    /// Documents no cache has seen: each timed pass starts from a freshly loaded tokenizer (load not
    /// timed) and encodes every distinct document once. Words still repeat across documents, as in
    /// real text; for llama2 a document is one word, so nothing is ever a cache hit.
    /// </summary>
    public static void Unique(string repoRoot, IReadOnlyList<BenchTokenizer> tokenizers, List<string> docs, int runs)
    {
        var megabytes = Measure.Utf8Bytes(docs) / 1e6;
        Console.WriteLine($"\n## unique documents: {docs.Count} distinct documents, {megabytes:F2} MB, each pass on a fresh tokenizer (empty cache), {runs} passes; medians");
        Header();
        foreach (var bench in tokenizers)
        {
            Measure.EncodeAll(bench.LoadOurs(), docs.Take(docs.Count / 10 + 1).ToList()); // JIT warm-up, then thrown away
            var ours = new List<(double Seconds, long Tokens, uint Hash)>();
            for (var run = 0; run < runs; run++)
            {
                var fresh = bench.LoadOurs();
                ours.Add(Measure.EncodeAll(fresh, docs));
            }
            var native = NativePeer.Run(repoRoot, "unique", bench.TokenizerJson, docs, runs);
            Row(bench.Name, megabytes, ours.Select(o => o.Seconds), native, ours[^1].Tokens, ours[^1].Hash);
        }
    }

    private static void Header() =>
        Console.WriteLine($"{"tokenizer",-10} {"ours MB/s",10} {"native MB/s",12} {"ratio",7} {"tokens",10}  same ids");

    private static void Row(string name, double megabytes, IEnumerable<double> ourSeconds, NativePeer.Pass native, long tokens, uint hash)
    {
        var ours = megabytes / Measure.Median(ourSeconds);
        var theirs = megabytes / Measure.Median(native.Seconds);
        Console.WriteLine($"{name,-10} {ours,10:F2} {theirs,12:F2} {ours / theirs,6:F2}x {tokens,10}  {Measure.Same(tokens, hash, native)}");
    }
}
