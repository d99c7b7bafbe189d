using System.Diagnostics;
using LocalFineTune.Tokenizers;

namespace TokenizerBench;

internal static class Measure
{
    /// <summary>Encodes every text once; returns seconds (encoding only), tokens and the id checksum native-bench.js computes.</summary>
    public static (double Seconds, long Tokens, uint Hash) EncodeAll(Tokenizer tokenizer, IReadOnlyList<string> texts)
    {
        var encoded = new int[texts.Count][];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < texts.Count; i++) encoded[i] = tokenizer.Encode(texts[i]);
        var seconds = clock.Elapsed.TotalSeconds;
        long tokens = 0;
        uint hash = 0;
        foreach (var ids in encoded)
        {
            tokens += ids.Length;
            foreach (var id in ids) hash = unchecked(hash * 31 + (uint)id);
        }
        return (seconds, tokens, hash);
    }

    /// <summary>CPU seconds of this process while action runs: on a shared machine it swings far less than wall time.</summary>
    public static double CpuSeconds(Action action)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }

    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static long Utf8Bytes(IEnumerable<string> texts) => texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t));

    public static string Same(long oursTokens, uint oursHash, NativePeer.Pass native) =>
        oursTokens == native.Tokens && oursHash == native.Hash ? "yes" : $"NO (native {native.Tokens} tokens, hash {native.Hash:x8} vs {oursHash:x8})";
}
