using System.Diagnostics;
using System.Text.Json;

namespace TokenizerBench;

/// <summary>Times the native HF tokenizers library (native-bench.js through Node) on the same texts.</summary>
internal static class NativePeer
{
    public sealed record Pass(List<double> Seconds, long Tokens, uint Hash);

    public static Pass Run(string repoRoot, string mode, string tokenizerJson, IReadOnlyList<string> texts, int runs)
    {
        using var result = Invoke(repoRoot, mode, tokenizerJson, texts, runs);
        return ReadPass(result.RootElement);
    }

    /// <summary>The "long" mode: one pass per text.</summary>
    public static List<Pass> RunEach(string repoRoot, string tokenizerJson, IReadOnlyList<string> texts, int runs)
    {
        using var result = Invoke(repoRoot, "long", tokenizerJson, texts, runs);
        return result.RootElement.GetProperty("texts").EnumerateArray().Select(ReadPass).ToList();
    }

    private static Pass ReadPass(JsonElement pass) => new(
        pass.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble()).ToList(),
        pass.GetProperty("tokens").GetInt64(), pass.GetProperty("hash").GetUInt32());

    private static JsonDocument Invoke(string repoRoot, string mode, string tokenizerJson, IReadOnlyList<string> texts, int runs)
    {
        var textsFile = Path.Combine(Path.GetTempPath(), $"lft-tokenizer-bench-{mode}-{Environment.ProcessId}.json");
        File.WriteAllText(textsFile, JsonSerializer.Serialize(texts));
        try
        {
            var script = Path.Combine(repoRoot, "bench/TokenizerBench/native-bench.js");
            var start = new ProcessStartInfo("node", [script, mode, tokenizerJson, textsFile, runs.ToString()]) { RedirectStandardOutput = true };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException("native-bench.js failed. Run `cd scripts/tokenizers && npm ci` first.");
            return JsonDocument.Parse(output);
        }
        finally { File.Delete(textsFile); }
    }
}
