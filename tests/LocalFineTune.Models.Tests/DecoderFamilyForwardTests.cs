using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

/// <summary>Every family and switch against the independent float64 reference, and the KV cache against no cache.</summary>
public class DecoderFamilyForwardTests
{
    private static readonly Lazy<Tokenizer> Gpt2Tokenizer = new(() => Tokenizer.FromFolder(RepoPaths.Gpt2Tokenizer));
    private static readonly int[] Ids = [5, 17, 3, 88, 42, 9, 61, 23, 70, 1, 33];

    public static TheoryData<string, string> Variants => new()
    {
        { "llama", "" },                                                               // GQA 4/2, untied
        { "llama", "\"num_key_value_heads\":4,\"tie_word_embeddings\":true" },         // MHA, tied
        { "llama", "\"head_dim\":16" },                                                // head_dim overriding hidden/heads
        { "llama", "\"attention_bias\":true,\"mlp_bias\":true" },
        { "llama", "\"rope_scaling\":{\"type\":\"linear\",\"factor\":4.0}" },          // old "type" key
        { "llama", "\"rope_theta\":500000.0,\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8}" },
        { "llama", "\"num_key_value_heads\":1" },                                      // MQA
        { "mistral", "" },                                                             // window 4 < 11 tokens
        { "mistral", "\"sliding_window\":null" },
        { "qwen2", "" },                                                               // q/k/v bias, window off
        { "qwen2", "\"use_sliding_window\":true" },                                    // window on layer 1 only
        { "qwen3", "" },                                                               // q_norm/k_norm, head_dim 16
        { "qwen3", "\"attention_bias\":true,\"tie_word_embeddings\":false" },
        { "phi", "" },                                                                 // partial rotary 0.5, parallel block
        { "phi", "\"qk_layernorm\":true,\"partial_rotary_factor\":0.25" },
        { "phi", "\"num_key_value_heads\":2,\"tie_word_embeddings\":true" },
        { "phi3", "" },                                                                // fused qkv / gate_up
        { "phi3", "\"num_key_value_heads\":2,\"sliding_window\":5,\"partial_rotary_factor\":0.5" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Forward_MatchesFloat64Reference_ForEveryFamilyAndSwitch(string family, string extra)
    {
        var json = TinyDecoder.Config(family, extra);
        var (model, weights) = TinyDecoder.RandomWeights(json);
        using var _ = model;

        var actual = TinyGpt2.Logits(model, Ids);
        var expected = new ReferenceDecoder(json, weights).Forward(Ids);

        Assert.True(Compare.RelativeError(actual, expected) < 1e-4, $"relative error {Compare.RelativeError(actual, expected):E2}");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void GenerateIds_GivesTheSameTokens_WithAndWithoutCache(string family, string extra)
    {
        var json = TinyDecoder.Config(family, extra);
        var (model, weights) = TinyDecoder.RandomWeights(json, seed: 3);
        using var _ = model;
        var generator = new TextGenerator(model, Gpt2Tokenizer.Value);
        var options = new GenerationOptions { MaxNewTokens = 12, StopOnEos = false };

        var cached = generator.GenerateIds([5, 17, 3], options).Ids;
        var uncached = generator.GenerateIds([5, 17, 3], options with { UseKvCache = false }).Ids;

        Assert.Equal(uncached, cached);
        Assert.Equal(new ReferenceDecoder(json, weights).Greedy([5, 17, 3], 12), cached);
    }

    [Fact]
    public void Forward_WithCache_MatchesFullForward_WhenFedInChunksPastTheWindow()
    {
        var json = TinyDecoder.Config("mistral", "\"sliding_window\":3");
        var (model, _) = TinyDecoder.RandomWeights(json);
        using var __ = model;
        var full = TinyGpt2.Logits(model, Ids);

        using var cache = model.CreateCache();
        var chunked = new List<double[]>();
        foreach (var chunk in new[] { Ids[..4], Ids[4..5], Ids[5..9], Ids[9..] })
        {
            using var scope = DisposeScope.Enter();
            using var noGrad = NoGradScope.Enter();
            var logits = model.Forward(TinyGpt2.Ids(chunk), cache).To(ScalarType.Float64).ToArray<double>();
            for (var t = 0; t < chunk.Length; t++) chunked.Add(logits.AsSpan(t * model.VocabSize, model.VocabSize).ToArray());
        }

        Assert.True(Compare.RelativeError(chunked.ToArray(), full) < 1e-5);
    }
}
