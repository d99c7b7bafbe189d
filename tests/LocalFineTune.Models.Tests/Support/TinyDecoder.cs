using System.Text.Json.Nodes;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests.Support;

/// <summary>Tiny configs of every family (2 layers, width 32) and weights far from the HF init for parity checks.</summary>
internal static class TinyDecoder
{
    /// <summary>A tiny config.json of one family; <paramref name="extra"/> (a JSON object's members) overrides or adds keys.</summary>
    public static string Config(string family, string extra = "", int vocab = 97)
    {
        var baseJson = family switch
        {
            "llama" => """{"model_type":"llama","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"max_position_embeddings":64,"rms_norm_eps":1e-5,"rope_theta":10000.0,"tie_word_embeddings":false}""",
            "mistral" => """{"model_type":"mistral","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"max_position_embeddings":64,"rms_norm_eps":1e-5,"rope_theta":10000.0,"sliding_window":4,"tie_word_embeddings":false}""",
            "qwen2" => """{"model_type":"qwen2","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"max_position_embeddings":64,"rms_norm_eps":1e-6,"rope_theta":1000000.0,"use_sliding_window":false,"sliding_window":4,"max_window_layers":1,"tie_word_embeddings":true}""",
            "qwen3" => """{"model_type":"qwen3","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"head_dim":16,"max_position_embeddings":64,"rms_norm_eps":1e-6,"rope_theta":1000000.0,"attention_bias":false,"tie_word_embeddings":true}""",
            "phi" => """{"model_type":"phi","hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,"num_attention_heads":4,"max_position_embeddings":64,"layer_norm_eps":1e-5,"partial_rotary_factor":0.5,"rope_theta":10000.0,"hidden_act":"gelu_new","qk_layernorm":false,"tie_word_embeddings":false,"resid_pdrop":0.0,"embd_pdrop":0.0,"attention_dropout":0.0}""",
            "phi3" => """{"model_type":"phi3","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":4,"max_position_embeddings":64,"rms_norm_eps":1e-5,"rope_theta":10000.0,"sliding_window":null,"tie_word_embeddings":false,"resid_pdrop":0.0,"embd_pdrop":0.0,"attention_dropout":0.0}""",
            _ => throw new ArgumentException(family),
        };
        var root = JsonNode.Parse(baseJson)!.AsObject();
        root["vocab_size"] = vocab;
        root["bos_token_id"] = vocab - 1;
        root["eos_token_id"] = vocab - 1;
        if (extra.Length > 0)
            foreach (var (key, value) in JsonNode.Parse("{" + extra + "}")!.AsObject()) root[key] = value?.DeepClone();
        return root.ToJsonString();
    }

    /// <summary>Weights with std 0.3 (norm gains around 1, non-zero biases), so every parameter matters in a parity check.</summary>
    public static (DecoderModel Model, Dictionary<string, double[]> Values) RandomWeights(string configJson, int seed = 1)
    {
        var spec = ModelConfig.Parse(configJson).Spec;
        var random = new Random(seed);
        var values = new Dictionary<string, double[]>();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in DecoderParameters.Shapes(spec))
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var isGain = name.EndsWith(".weight") && name.Contains("norm");
            var floats = new float[count];
            for (var i = 0; i < count; i++) floats[i] = (float)((isGain ? 1 : 0) + (isGain ? 0.1 : 0.3) * Normal(random));
            values[name] = floats.Select(f => (double)f).ToArray();
            tensors[name] = Tensor.FromArray(floats, shape);
        }
        return (new DecoderModel(spec, tensors, Device.Cpu), values);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
