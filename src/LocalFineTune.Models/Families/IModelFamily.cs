using LocalFineTune.Models.Decoder;

namespace LocalFineTune.Models.Families;

/// <summary>
/// One architecture as config.json names it: how its keys and switches map onto the shared decoder.
/// A family file only translates; it holds no layer code.
/// </summary>
public interface IModelFamily
{
    /// <summary>config.json "model_type", e.g. "llama".</summary>
    string ModelType { get; }

    /// <summary>The transformers class saved under "architectures", e.g. "LlamaForCausalLM".</summary>
    string Architecture { get; }

    /// <summary>The decoder this config describes; throws NotSupportedException naming any switch we do not implement.</summary>
    DecoderSpec Describe(ConfigReader config);

    /// <summary>Checkpoint keys that may hold a parameter (GPT-2 checkpoints exist with and without "transformer.").</summary>
    IEnumerable<string> KeyCandidates(string parameterName) => [parameterName];

    /// <summary>Checkpoint entries that are buffers, not weights (old rotary inv_freq, GPT-2's mask).</summary>
    bool IsBuffer(string key) => key.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal);
}

/// <summary>The families we load, by model_type.</summary>
public static class ModelFamilies
{
    private static readonly IModelFamily[] All =
        [new Gpt2Family(), new LlamaFamily(), new MistralFamily(), new Qwen2Family(), new Qwen3Family(), new PhiFamily(), new Phi3Family()];

    public static IReadOnlyList<string> SupportedModelTypes { get; } = All.Select(f => f.ModelType).ToArray();

    public static bool IsSupported(string? modelType) => modelType is not null && All.Any(f => f.ModelType == modelType);

    public static IModelFamily Get(string modelType) =>
        All.FirstOrDefault(f => f.ModelType == modelType)
        ?? throw new NotSupportedException($"config.json has model_type \"{modelType}\", which is not supported. " +
            $"Supported: {string.Join(", ", SupportedModelTypes)}.");

    /// <summary>The family of an architecture name ("LlamaForCausalLM"), for configs that omit model_type.</summary>
    public static IModelFamily? ByArchitecture(string architecture) => All.FirstOrDefault(f => f.Architecture == architecture);
}
