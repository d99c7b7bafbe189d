using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using LocalFineTune.Tokenizers;
using TokenizerBench;

// Single-threaded encode throughput of LocalFineTune.Tokenizers vs the native HF tokenizers library
// on the same corpus, in the same run. Usage:
//   dotnet run -c Release --project bench/TokenizerBench -- [gpt2|llama3|qwen3 ...] [--mb 4] [--runs 5]
var repoRoot = FindRepoRoot();
var megabytes = IntOption("--mb", 4);
var runs = IntOption("--runs", 5);
var names = args.Where(a => !a.StartsWith("--") && !int.TryParse(a, out _)).DefaultIfEmpty("all")
    .SelectMany(n => n == "all" ? new[] { "gpt2", "llama3", "qwen3" } : [n]).ToList();

var docs = Corpus.Build(repoRoot, megabytes);
var corpusFile = Path.Combine(Path.GetTempPath(), "lft-tokenizer-bench-corpus.json");
File.WriteAllText(corpusFile, JsonSerializer.Serialize(docs));
var totalBytes = docs.Sum(d => (long)System.Text.Encoding.UTF8.GetByteCount(d));
Console.WriteLine($"corpus: {docs.Count} documents, {totalBytes / 1e6:F2} MB; {runs} timed runs after one warm-up; medians");
Console.WriteLine($"{"tokenizer",-10} {"ours MB/s",10} {"native MB/s",12} {"ratio",7} {"tokens",10}  ids equal");

foreach (var name in names)
{
    var tokenizerJson = MaterializeTokenizerJson(name);
    var tokenizer = name == "gpt2"
        ? Tokenizer.FromFolder(Path.Combine(repoRoot, "models/base/tiny-gpt2"))
        : Tokenizer.FromTokenizerJson(tokenizerJson);
    var (ourSeconds, ourTokens) = MeasureOurs(tokenizer, docs, runs);
    var native = RunNative(tokenizerJson, corpusFile, runs);
    var oursMbs = totalBytes / 1e6 / ourSeconds;
    var nativeMbs = totalBytes / 1e6 / Median(native.Seconds);
    Console.WriteLine($"{name,-10} {oursMbs,10:F2} {nativeMbs,12:F2} {oursMbs / nativeMbs,6:F2}x {ourTokens,10}  {(ourTokens == native.Tokens ? "yes" : $"NO (native {native.Tokens})")}");
}
return 0;

static (double MedianSeconds, long Tokens) MeasureOurs(Tokenizer tokenizer, List<string> docs, int runs)
{
    long tokens = EncodeAll(tokenizer, docs); // warm-up: JIT and BPE cache, like the native side
    var seconds = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var clock = Stopwatch.StartNew();
        tokens = EncodeAll(tokenizer, docs);
        seconds.Add(clock.Elapsed.TotalSeconds);
    }
    return (Median(seconds), tokens);
}

static long EncodeAll(Tokenizer tokenizer, List<string> docs)
{
    long tokens = 0;
    foreach (var doc in docs) tokens += tokenizer.Encode(doc).Length;
    return tokens;
}

static (List<double> Seconds, long Tokens) RunNative(string tokenizerJson, string corpusFile, int runs)
{
    var script = Path.Combine(FindRepoRoot(), "bench/TokenizerBench/native-bench.js");
    var start = new ProcessStartInfo("node", [script, tokenizerJson, corpusFile, runs.ToString()]) { RedirectStandardOutput = true };
    using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
        throw new InvalidOperationException("native-bench.js failed. Run `cd scripts/tokenizers && npm ci` first.");
    using var result = JsonDocument.Parse(output);
    return (result.RootElement.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble()).ToList(),
        result.RootElement.GetProperty("tokens").GetInt64());
}

static string MaterializeTokenizerJson(string name)
{
    var gz = Path.Combine(FindRepoRoot(), $"tests/LocalFineTune.Tokenizers.Tests/TestData/{name}.tokenizer.json.gz");
    var target = Path.Combine(Path.GetTempPath(), $"lft-bench-{name}.tokenizer.json");
    using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
    using var output = File.Create(target);
    input.CopyTo(output);
    return target;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run the bench from inside the LocalFineTune repository.");
}

int IntOption(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
