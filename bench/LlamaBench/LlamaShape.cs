using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>TinyLlama-1.1B's config.json (LlamaForCausalLM: GQA 32/4 heads, untied lm_head) with the layer count as asked.</summary>
static class LlamaShape
{
    public const int Vocab = 32000;

    public static JsonObject Config(int layers) => new()
    {
        ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["vocab_size"] = Vocab, ["hidden_size"] = 2048, ["intermediate_size"] = 5632, ["num_hidden_layers"] = layers,
        ["num_attention_heads"] = 32, ["num_key_value_heads"] = 4, ["max_position_embeddings"] = 2048,
        ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0, ["hidden_act"] = "silu", ["tie_word_embeddings"] = false,
        ["attention_bias"] = false, ["mlp_bias"] = false, ["initializer_range"] = 0.02,
        ["bos_token_id"] = Vocab - 1, ["eos_token_id"] = Vocab - 1,
    };
}

/// <summary>
/// A 32,000-token tokenizer for the random folder: the loader refuses a tokenizer larger than vocab_size, and the
/// only one in the repository is GPT-2's (50,257). This keeps GPT-2's 256 byte tokens and its first merges (their
/// results are ids 256.. in merge order), with &lt;|endoftext|&gt; moved to the last id. The bench never encodes
/// text (its ids come from <see cref="BenchIds"/>); the generator only decodes what the model emits.
/// </summary>
static class TokenizerCut
{
    public static string EnsureExists(string gpt2Dir, string dir)
    {
        if (File.Exists(Path.Combine(dir, "merges.txt"))) return dir;
        const string eos = "<|endoftext|>";
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(gpt2Dir, "vocab.json")))!;
        var kept = vocab.Where(p => p.Value < LlamaShape.Vocab - 1 && p.Key != eos).ToDictionary(p => p.Key, p => p.Value);
        kept[eos] = LlamaShape.Vocab - 1;
        // A merge stays when both parts and the merged token are kept, so every kept merge names kept tokens.
        var merges = File.ReadLines(Path.Combine(gpt2Dir, "merges.txt")).Skip(1)
            .Where(line => line.Split(' ') is [var left, var right] && kept.ContainsKey(left) && kept.ContainsKey(right) && kept.ContainsKey(left + right));
        var temp = dir + ".tmp";
        Directory.CreateDirectory(temp);
        File.WriteAllText(Path.Combine(temp, "vocab.json"), JsonSerializer.Serialize(kept));
        File.WriteAllLines(Path.Combine(temp, "merges.txt"), merges.Prepend("#version: 0.2"));
        Directory.Move(temp, dir);
        return dir;
    }
}
