using LocalFineTune.Torch;

namespace LocalFineTune.Models;

/// <summary>
/// What the trainer, evaluator and generator need from any decoder-only architecture (GPT-2, Llama,
/// Mistral, Qwen2/3, Phi and Phi-3 all run on <see cref="Decoder.DecoderModel"/>). Parameters carry their Hugging Face checkpoint names, so saving
/// and loading is a checked name-by-name copy.
/// </summary>
public interface ICausalLanguageModel : IDisposable
{
    /// <summary>The config.json "model_type", e.g. "gpt2".</summary>
    string ModelType { get; }

    /// <summary>Longest sequence the model accepts (GPT-2's n_positions).</summary>
    int ContextLength { get; }

    int VocabSize { get; }

    Device Device { get; }

    /// <summary>Trainable tensors by HF name (e.g. "transformer.h.0.attn.c_attn.weight"), tied weights listed once.</summary>
    IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters { get; }

    /// <summary>What training updates: by default every parameter; with LoRA only the adapters' A and B.</summary>
    IReadOnlyList<(string Name, Tensor Parameter)> TrainableParameters => NamedParameters;

    /// <summary>Dropout on (training) or off (evaluation, generation).</summary>
    bool Training { get; set; }

    /// <summary>
    /// Recompute activations during backward instead of keeping them from the forward (less memory, about one more
    /// forward per step, the same gradients). By default a model cannot: false, and setting true throws.
    /// </summary>
    bool GradientCheckpointing
    {
        get => false;
        set
        {
            if (value) throw new NotSupportedException($"{GetType().Name} does not support gradient checkpointing; turn gradient_checkpointing off.");
        }
    }

    /// <summary>
    /// Logits [batch, seq, vocab] for input ids [batch, seq]. With a KV cache, only the new positions are
    /// fed and the cache grows by them.
    /// </summary>
    Tensor Forward(Tensor inputIds, KeyValueCache? cache = null);

    /// <summary>An empty KV cache sized for this model, or null when the model cannot use one (generation then
    /// re-feeds the whole sequence each step). A default so that test doubles need not implement it.</summary>
    KeyValueCache? CreateCache() => null;

    /// <summary>Every module's HF path ("model.layers.0.self_attn.q_proj", …), e.g. to pick LoRA targets by name.</summary>
    IReadOnlyList<string> ModulePaths => [];
}
