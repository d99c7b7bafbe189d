using System.Text;
using LocalFineTune.Tokenizers;

namespace TokenizerBench;

/// <summary>Long inputs: time must grow linearly (n log n at worst) with the length, never quadratically.</summary>
internal static class LongInputBenches
{
    /// <summary>One run of letters with no space (the corpus's letters, so merges are realistic) at several sizes, ours and native.</summary>
    public static void LetterRuns(string repoRoot, IReadOnlyList<BenchTokenizer> tokenizers, string letters, int[] sizes, int runs)
    {
        Console.WriteLine($"\n## one run with no spaces (the corpus's ASCII letters), one Encode call per size, {runs} runs; medians");
        Console.WriteLine($"{"tokenizer",-10} {"chars",9} {"ours s",8} {"native s",9} {"ratio",7} {"ours µs/KB",11} {"native µs/KB",13}  same ids");
        var texts = sizes.Select(size => letters[..size]).ToList();
        foreach (var bench in tokenizers)
        {
            var tokenizer = bench.LoadOurs();
            tokenizer.Encode(texts[0][..Math.Min(4096, texts[0].Length)]);
            var native = NativePeer.RunEach(repoRoot, bench.TokenizerJson, texts, runs);
            for (var i = 0; i < texts.Count; i++)
            {
                var passes = Enumerable.Range(0, runs).Select(_ => Measure.EncodeAll(tokenizer, [texts[i]])).ToList();
                var ours = Measure.Median(passes.Select(p => p.Seconds));
                var theirs = Measure.Median(native[i].Seconds);
                var kb = texts[i].Length / 1024.0;
                Console.WriteLine($"{bench.Name,-10} {texts[i].Length,9} {ours,8:F3} {theirs,9:F3} {theirs / ours,6:F2}x {ours * 1e6 / kb,11:F0} {theirs * 1e6 / kb,13:F0}  " +
                    Measure.Same(passes[^1].Tokens, passes[^1].Hash, native[i]));
            }
        }
    }

    /// <summary>
    /// Ours only: every stage on long runs of awkward shapes (spaces, newlines, digits, punctuation,
    /// the first chars of added tokens, emoji, CJK, random mixes) through Encode, EncodeWithOffsets and
    /// Decode. The last column is µs/KB at the largest size over µs/KB at the smallest: ≈1 is linear.
    /// </summary>
    public static void Shapes(IReadOnlyList<BenchTokenizer> tokenizers, int[] sizes)
    {
        Console.WriteLine($"\n## every stage on long runs (ours): CPU µs per KB at {string.Join(" / ", sizes)} chars; growth = largest / smallest");
        Console.WriteLine($"{"tokenizer",-10} {"shape",-12} {"encode",24} {"offsets",24} {"decode",24} {"growth",7}");
        foreach (var bench in tokenizers)
        {
            var tokenizer = bench.LoadOurs();
            foreach (var (shape, make) in ShapesToTry)
            {
                var rows = sizes.Select(size => Time(tokenizer, make(size))).ToList();
                var (first, last) = (rows[0], rows[^1]);
                var worst = Math.Max(last.Encode / first.Encode, Math.Max(last.Offsets / first.Offsets, last.Decode / first.Decode));
                Console.WriteLine($"{bench.Name,-10} {shape,-12} {Join(rows.Select(r => r.Encode)),24} {Join(rows.Select(r => r.Offsets)),24} {Join(rows.Select(r => r.Decode)),24} {worst,6:F2}x");
            }
        }
    }

    private static readonly (string Name, Func<int, string> Make)[] ShapesToTry =
    [
        ("spaces", n => new string(' ', n)),
        ("newlines", n => new string('\n', n)),
        ("space+newline", n => Repeat("   \n", n)),
        ("newline+spaces", n => "\n" + new string(' ', n - 2) + "x"),
        ("digits", n => Repeat("0123456789", n)),
        ("punctuation", n => Repeat("!?.,;:-_()[]{}", n)),
        ("'<' chars", n => new string('<', n)),
        ("'<|' pairs", n => Repeat("<|", n)),
        ("emoji", n => Repeat("😀🎉👍🏽", n)),
        ("CJK", n => Repeat("日本語の文章中文字符", n)),
        ("mixed", Mixed),
    ];

    /// <summary>Best of two runs of each operation, in CPU time (wall time swings with the machine's load).</summary>
    private static (double Encode, double Offsets, double Decode) Time(Tokenizer tokenizer, string text)
    {
        var kb = text.Length / 1024.0;
        var ids = tokenizer.Encode(text);
        double Best(Action action) => Math.Min(Measure.CpuSeconds(action), Measure.CpuSeconds(action)) * 1e6 / kb;
        return (Best(() => tokenizer.Encode(text)), Best(() => tokenizer.EncodeWithOffsets(text)), Best(() => tokenizer.Decode(ids)));
    }

    private static string Join(IEnumerable<double> values) => string.Join(" / ", values.Select(v => v.ToString("F0")));

    private static string Repeat(string unit, int length)
    {
        var builder = new StringBuilder(length + unit.Length);
        while (builder.Length < length) builder.Append(unit);
        return builder.ToString(0, length - (char.IsHighSurrogate(builder[length - 1]) ? 1 : 0));
    }

    /// <summary>Random chars from a mix of classes (seeded), so regexes and merges see every kind of boundary.</summary>
    private static string Mixed(int length)
    {
        const string pool = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 \n\t'\"<>|!?.,éàüß日本中文";
        var random = new Random(42);
        return string.Create(length, random, (chars, r) => { for (var i = 0; i < chars.Length; i++) chars[i] = pool[r.Next(pool.Length)]; });
    }
}
