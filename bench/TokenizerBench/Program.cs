using TokenizerBench;

// Single-threaded encode throughput of LocalFineTune.Tokenizers next to the native HF tokenizers
// library, on the same texts, in the same run. Usage (bench/TokenizerBench/run.sh passes these on):
//   [gpt2|llama3|qwen3|llama2|all ...] [--mode repeated,unique,long,memory,shapes|all] [--mb 4] [--runs 3]
//   [--sizes 65536,262144,1048576] [--batches 8] [--words 50000]
var repoRoot = FindRepoRoot();
var megabytes = IntOption("--mb", 4);
var runs = IntOption("--runs", 3);
var sizes = StringOption("--sizes", "65536,262144,1048576").Split(',').Select(int.Parse).ToArray();
var modes = StringOption("--mode", "all").Split(',').SelectMany(m => m == "all" ? ["repeated", "unique", "long", "memory", "shapes"] : new[] { m }).ToHashSet();
var optionValues = new HashSet<int>(Enumerable.Range(0, args.Length).Where(i => args[i].StartsWith("--")).Select(i => i + 1));
var names = args.Where((a, i) => !a.StartsWith("--") && !optionValues.Contains(i)).DefaultIfEmpty("all")
    .SelectMany(n => n == "all" ? BenchTokenizers.All : [n]).Distinct().ToList();
var tokenizers = names.Select(n => BenchTokenizers.Get(repoRoot, n)).ToList();

var docs = Corpus.Build(repoRoot, megabytes);
Console.WriteLine($"corpus: {docs.Count} documents, {Measure.Utf8Bytes(docs) / 1e6:F2} MB; tokenizers: {string.Join(", ", names)}; " +
    $"single thread; native = HF tokenizers (Rust) through @anush008/tokenizers");
if (modes.Contains("repeated")) ThroughputBenches.Repeated(repoRoot, tokenizers, docs, runs);
if (modes.Contains("unique")) ThroughputBenches.Unique(repoRoot, tokenizers, Corpus.Distinct(docs), runs);
if (modes.Contains("long")) LongInputBenches.LetterRuns(repoRoot, tokenizers, Corpus.Letters(docs, sizes.Max()), sizes, runs);
if (modes.Contains("memory")) MemoryProbe.Run(tokenizers, IntOption("--batches", 8), IntOption("--words", 50_000));
if (modes.Contains("shapes")) LongInputBenches.Shapes(tokenizers, sizes);
return 0;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run the bench from inside the LocalFineTune repository.");
}

int IntOption(string name, int fallback) => int.TryParse(StringOption(name, ""), out var value) ? value : fallback;

string StringOption(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
