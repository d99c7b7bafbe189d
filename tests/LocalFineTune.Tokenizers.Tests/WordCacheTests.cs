using LocalFineTune.Tokenizers.Models;

namespace LocalFineTune.Tokenizers.Tests;

public sealed class WordCacheTests
{
    private static int[] IdsOf(string word) => [word.Length, word[0]];

    [Fact]
    public void Add_KeepsAtMostTwoGenerations_WhenManyDistinctWordsArrive()
    {
        var cache = new WordCache(maxWordLength: 64, maxEntries: 100, maxUnits: 1_000_000);
        for (var i = 0; i < 10_000; i++) cache.Add($"word{i}", IdsOf($"word{i}"));
        Assert.InRange(cache.Count, 100, 200);
        Assert.True(cache.TryGet("word9999", out var ids));
        Assert.Equal(IdsOf("word9999"), ids);
        Assert.False(cache.TryGet("word0", out _));
    }

    [Fact]
    public void Add_RotatesOnUnits_WhenWordsAreLongButFew()
    {
        var cache = new WordCache(maxWordLength: 1000, maxEntries: 1_000_000, maxUnits: 10_000);
        for (var i = 0; i < 1000; i++) cache.Add(new string((char)('a' + i % 26), 500) + i, [i]);
        Assert.InRange(cache.Units, 1, 2 * 10_000 + 1000);
    }

    [Fact]
    public void Add_SkipsWord_WhenLongerThanMaxWordLength()
    {
        var cache = new WordCache(maxWordLength: 8);
        cache.Add("short", [1]);
        cache.Add("much too long", [2]);
        Assert.True(cache.TryGet("short", out _));
        Assert.False(cache.TryGet("much too long", out _));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void TryGet_KeepsWordAcrossRotations_WhenItKeepsBeingUsed()
    {
        var cache = new WordCache(maxWordLength: 64, maxEntries: 50, maxUnits: 1_000_000);
        cache.Add("hot", [42]);
        for (var i = 0; i < 5_000; i++)
        {
            cache.Add($"cold{i}", [i]);
            if (i % 20 == 0) Assert.True(cache.TryGet("hot", out _), $"'hot' was evicted after {i} cold words");
        }
    }

    [Fact]
    public void AddAndTryGet_StayConsistentAndBounded_WhenUsedFromManyThreads()
    {
        var cache = new WordCache(maxWordLength: 64, maxEntries: 500, maxUnits: 1_000_000);
        Parallel.For(0, 8, thread =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var word = $"w{(i * 7 + thread) % 3000}";
                if (cache.TryGet(word, out var ids)) Assert.Equal(IdsOf(word), ids);
                else cache.Add(word, IdsOf(word));
            }
        });
        Assert.InRange(cache.Count, 1, 2 * 500 + 64);
    }

    [Fact]
    public void EncodeWord_KeepsCacheBoundedAndIdsRight_WhenEncodingManyNeverSeenWords()
    {
        var (vocab, merges) = ReferenceBpe.ReadModel(GoldenFiles.BaseTokenizerJson("gpt2"));
        var cache = new WordCache(maxEntries: 1_000);
        var model = new BpeModel(vocab, merges, new BpeOptions(), byteLevelCache: cache);
        var uncached = new BpeModel(vocab, merges, new BpeOptions(), byteLevelCache: new WordCache(maxWordLength: 0));
        var random = new Random(3);
        var words = Enumerable.Range(0, 20_000).Select(_ => " " + new string(Enumerable.Range(0, random.Next(4, 10))
            .Select(_ => (char)('a' + random.Next(26))).ToArray())).ToList();
        foreach (var word in words) model.EncodeWord(word, byteLevel: true); // 20 generations' worth of distinct words
        Assert.InRange(cache.Count, 1_000, 2 * 1_000);
        Assert.Equal(cache.Count, model.CachedWords);
        for (var i = 0; i < words.Count; i += 7)
            Assert.Equal(uncached.EncodeWord(words[i], byteLevel: true), model.EncodeWord(words[i], byteLevel: true));
    }

    [Fact]
    public void Encode_KeepsCacheWithinDefaultBound_WhenEncodingThroughTokenizer()
    {
        var tokenizer = Tokenizer.FromTokenizerJsonText(GoldenFiles.BaseTokenizerJson("gpt2"));
        var longWord = new string('x', WordCache.DefaultMaxWordLength + 1);
        tokenizer.Encode("a few short words " + longWord);
        Assert.Equal(4, tokenizer.CachedWordCount); // the long word is not cached
        Assert.InRange(tokenizer.CachedWordUnits, 1, 100);
    }
}
