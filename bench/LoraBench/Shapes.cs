using System.Text.Json.Nodes;

/// <summary>The config.json of phi-2 (microsoft/phi-2's shape) with the layer count as asked.</summary>
static class PhiShape
{
    public static JsonObject Config(int layers) => new()
    {
        ["model_type"] = "phi", ["architectures"] = new JsonArray("PhiForCausalLM"),
        ["hidden_size"] = 2560, ["num_hidden_layers"] = layers, ["num_attention_heads"] = 32, ["num_key_value_heads"] = 32,
        ["intermediate_size"] = 10240, ["vocab_size"] = 51200, ["partial_rotary_factor"] = 0.4, ["rope_theta"] = 10000.0,
        ["max_position_embeddings"] = 2048, ["hidden_act"] = "gelu_new", ["layer_norm_eps"] = 1e-5,
        ["tie_word_embeddings"] = false, ["resid_pdrop"] = 0.0, ["embd_pdrop"] = 0.0, ["attention_dropout"] = 0.0,
        ["bos_token_id"] = 50256, ["eos_token_id"] = 50256,
    };
}
