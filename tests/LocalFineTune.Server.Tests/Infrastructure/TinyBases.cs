using System.Text.Json.Nodes;
using LocalFineTune.Models;
using LocalFineTune.Models.Loading;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>Tiny random bases of other families in real HF layout, on GPT-2's tokenizer (as phi-1.5 uses).</summary>
public static class TinyBases
{
    public static void CreatePhi(string dir)
    {
        var config = JsonNode.Parse("""
            {"model_type":"phi","architectures":["PhiForCausalLM"],"vocab_size":50257,"hidden_size":32,"intermediate_size":64,
             "num_hidden_layers":2,"num_attention_heads":4,"max_position_embeddings":64,"partial_rotary_factor":0.5,
             "hidden_act":"gelu_new","bos_token_id":50256,"eos_token_id":50256,"tie_word_embeddings":false}
            """)!.AsObject();
        HfModelFolder.CreateRandomFolder(dir, ModelConfig.FromJson(config), Path.Combine(TestFolders.RepoRoot, "models", "base", "tiny-gpt2"), seed: 4);
    }
}
