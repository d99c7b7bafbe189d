using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalFineTune.Models.Gpt2;

/// <summary>
/// GPT-2's config.json, under transformers' key names. Defaults are GPT-2 small (124M), so a config.json
/// that leaves a key out means what it means to transformers.
/// </summary>
public sealed record Gpt2Config
{
    /// <summary>Rows of the token embedding and of the LM head; must cover every id the tokenizer emits.</summary>
    public int VocabSize { get; init; } = 50257;

    /// <summary>Rows of the learned position embedding: the longest sequence the model can see (context length).</summary>
    public int NPositions { get; init; } = 1024;

    /// <summary>Width of the residual stream; every weight shape derives from it.</summary>
    public int NEmbd { get; init; } = 768;

    /// <summary>Number of transformer blocks (h.0 … h.N-1); also scales the c_proj init (1/sqrt(2·n_layer)).</summary>
    public int NLayer { get; init; } = 12;

    /// <summary>Attention heads per block; must divide n_embd (head_dim = n_embd / n_head).</summary>
    public int NHead { get; init; } = 12;

    /// <summary>MLP hidden width; null means 4·n_embd, as transformers does.</summary>
    public int? NInner { get; init; }

    /// <summary>MLP activation by transformers' ACT2FN name; GPT-2 was trained with the tanh GELU "gelu_new".</summary>
    public string ActivationFunction { get; init; } = "gelu_new";

    /// <summary>Dropout after c_proj in attention and MLP (training only).</summary>
    public double ResidPdrop { get; init; } = 0.1;

    /// <summary>Dropout on token + position embeddings (training only).</summary>
    public double EmbdPdrop { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities (training only).</summary>
    public double AttnPdrop { get; init; } = 0.1;

    /// <summary>LayerNorm epsilon; must match training for logits to match.</summary>
    public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>Std of the normal init of a fresh model (HF's initializer_range).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Divide attention scores by sqrt(head_dim); false only in odd research configs.</summary>
    public bool ScaleAttnWeights { get; init; } = true;

    /// <summary>Further divide scores of layer i by (i + 1) (Mistral's GPT-2 stabilisation).</summary>
    public bool ScaleAttnByInverseLayerIdx { get; init; }

    /// <summary>The LM head reuses wte (GPT-2 does): no lm_head.weight of its own.</summary>
    public bool TieWordEmbeddings { get; init; } = true;

    public int? BosTokenId { get; init; } = 50256;

    /// <summary>Generation stops here; evaluation appends it to each record.</summary>
    public int? EosTokenId { get; init; } = 50256;

    /// <summary>Weight dtype name as config.json states it ("float32", "float16", "bfloat16").</summary>
    public string TorchDtype { get; init; } = "float32";

    /// <summary>Keys we do not model (task_specific_params, summary_*, …), written back unchanged.</summary>
    public IReadOnlyDictionary<string, JsonNode?> OtherKeys { get; init; } = new Dictionary<string, JsonNode?>();

    public int HeadDim => NEmbd / NHead;
    public int InnerSize => NInner ?? 4 * NEmbd;

    /// <summary>The activations we implement, by transformers' names.</summary>
    public static IReadOnlyList<string> SupportedActivations { get; } =
        ["gelu_new", "gelu_pytorch_tanh", "gelu", "relu", "silu", "swish", "tanh"];

    /// <summary>Throws with a fix hint if the numbers cannot form a model.</summary>
    public Gpt2Config Validate()
    {
        if (VocabSize <= 0 || NPositions <= 0 || NEmbd <= 0 || NLayer <= 0 || NHead <= 0)
            throw new InvalidDataException("GPT-2 config: vocab_size, n_positions, n_embd, n_layer and n_head must all be positive.");
        if (NEmbd % NHead != 0)
            throw new InvalidDataException($"GPT-2 config: n_embd ({NEmbd}) is not divisible by n_head ({NHead}); fix one of them in config.json.");
        if (NInner is <= 0)
            throw new InvalidDataException($"GPT-2 config: n_inner ({NInner}) must be positive or null (null = 4·n_embd).");
        if (!SupportedActivations.Contains(ActivationFunction))
            throw new NotSupportedException($"GPT-2 config: activation_function \"{ActivationFunction}\" is not supported. " +
                $"Supported: {string.Join(", ", SupportedActivations)}.");
        return this;
    }
}
