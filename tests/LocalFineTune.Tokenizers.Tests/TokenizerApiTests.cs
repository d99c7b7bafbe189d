using System.Text.Json.Nodes;

namespace LocalFineTune.Tokenizers.Tests;

public sealed class TokenizerApiTests
{
    private static Tokenizer Gpt2() => Tokenizer.FromFolder(Path.GetDirectoryName(GoldenFiles.TestData("tiny-gpt2/vocab.json"))!);

    private static string Gpt2JsonWith(string key, JsonNode? value)
    {
        var json = JsonNode.Parse(GoldenFiles.BaseTokenizerJson("gpt2"))!.AsObject();
        json[key] = value;
        return json.ToJsonString();
    }

    [Fact]
    public void FromFolder_LoadsVocabAndMerges_WhenNoTokenizerJson()
    {
        var tokenizer = Gpt2();
        Assert.Equal(50257, tokenizer.VocabSize);
        Assert.Equal(50256, tokenizer.EosTokenId);
        Assert.Equal(50256, tokenizer.BosTokenId);
        Assert.Contains(tokenizer.SourceFiles, f => f.EndsWith("merges.txt"));
    }

    [Fact]
    public void PadTokenId_FallsBackToEos_WhenModelDefinesNoPad()
    {
        var tokenizer = Gpt2();
        Assert.Null(tokenizer.ExplicitPadTokenId);
        Assert.Equal(tokenizer.EosTokenId, tokenizer.PadTokenId);
    }

    [Fact]
    public void FromFolder_ReadsSpecialTokensAndChatTemplate_WhenTokenizerConfigPresent()
    {
        var dir = GoldenFiles.MaterializeModelFolder("qwen3");
        try
        {
            var tokenizer = Tokenizer.FromFolder(dir);
            Assert.Equal(151645, tokenizer.EosTokenId); // <|im_end|>
            Assert.Equal(151643, tokenizer.PadTokenId); // <|endoftext|>
            Assert.Null(tokenizer.BosTokenId);
            Assert.Contains("<|im_start|>", tokenizer.ChatTemplate);
            Assert.Equal(151669, tokenizer.VocabSize);
            Assert.Equal(2, tokenizer.SourceFiles.Count);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TokenToId_AndIdToToken_RoundTrip_WhenTokenIsAddedOrInVocab()
    {
        var tokenizer = Gpt2();
        Assert.Equal(50256, tokenizer.TokenToId("<|endoftext|>"));
        Assert.Equal("Ġworld", tokenizer.IdToToken(tokenizer.TokenToId("Ġworld")!.Value));
        Assert.Null(tokenizer.TokenToId("definitely not a token"));
        Assert.Null(tokenizer.IdToToken(10_000_000));
    }

    [Fact]
    public void Decode_Throws_WhenIdOutsideVocabulary()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2().Decode([1, 999_999]));
        Assert.Contains("999999", error.Message);
    }

    [Fact]
    public void Encode_ReturnsNoIds_WhenTextIsEmpty()
    {
        Assert.Empty(Gpt2().Encode(""));
        Assert.Equal(0, Gpt2().CountTokens(""));
    }

    [Theory]
    [InlineData("normalizer", "{\"type\":\"BertNormalizer\"}", "normalizer", "BertNormalizer")]
    [InlineData("pre_tokenizer", "{\"type\":\"Whitespace\"}", "pre-tokenizer", "Whitespace")]
    [InlineData("post_processor", "{\"type\":\"Fancy\"}", "post-processor", "Fancy")]
    [InlineData("decoder", "{\"type\":\"WordPiece\",\"prefix\":\"##\"}", "decoder", "WordPiece")]
    [InlineData("normalizer", "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Precompiled\"}]}", "normalizer", "Precompiled")]
    public void FromTokenizerJsonText_ThrowsNamingComponent_WhenTypeUnsupported(string key, string component, string kind, string type)
    {
        var json = Gpt2JsonWith(key, JsonNode.Parse(component));
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.FromTokenizerJsonText(json));
        Assert.Contains(kind, error.Message);
        Assert.Contains($"'{type}'", error.Message);
        Assert.Contains("Supported", error.Message);
    }

    [Fact]
    public void FromTokenizerJsonText_ThrowsNamingModel_WhenModelIsNotBpe()
    {
        var json = Gpt2JsonWith("model", JsonNode.Parse("{\"type\":\"Unigram\",\"vocab\":[]}"));
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.FromTokenizerJsonText(json));
        Assert.Contains("'Unigram'", error.Message);
        Assert.Contains("BPE", error.Message);
    }

    [Fact]
    public void Encode_AddsBos_WhenLlamaConfigSaysAddBosToken()
    {
        var config = "{\"tokenizer_class\":\"LlamaTokenizer\",\"add_bos_token\":true,\"add_eos_token\":true,\"bos_token\":\"<s>\",\"eos_token\":\"</s>\"}";
        var tokenizer = Tokenizer.FromTokenizerJsonText(GoldenFiles.BaseTokenizerJson("spm-llama2"), config);
        var ids = tokenizer.Encode("Bonjour", addSpecialTokens: true);
        Assert.Equal(1, ids[0]);
        Assert.Equal(2, ids[^1]);
        Assert.Equal(tokenizer.Encode("Bonjour"), ids[1..^1]);
    }

    [Fact]
    public void Encode_IsThreadSafe_WhenCalledInParallel()
    {
        var tokenizer = Gpt2();
        var texts = Enumerable.Range(0, 200).Select(i => $"Texte numéro {i} : l'été {i * 7} 😀").ToArray();
        var expected = texts.Select(t => tokenizer.Encode(t)).ToArray();
        var fresh = Gpt2();
        var actual = new int[texts.Length][];
        Parallel.For(0, texts.Length, i => actual[i] = fresh.Encode(texts[i]));
        for (var i = 0; i < texts.Length; i++) Assert.Equal(expected[i], actual[i]);
    }
}
