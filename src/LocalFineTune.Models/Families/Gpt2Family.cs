using System.Text.RegularExpressions;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Gpt2;

namespace LocalFineTune.Models.Families;

/// <summary>
/// GPT2LMHeadModel (gpt2, distilgpt2, …): learned positions, LayerNorm with bias, fused Conv1D c_attn ([in, out]
/// weights), plain MLP, tied head. Config parsing stays in <see cref="Gpt2ConfigJson"/> (it also writes GPT-2's
/// config.json as save_pretrained does).
/// </summary>
public sealed partial class Gpt2Family : IModelFamily
{
    public string ModelType => "gpt2";
    public string Architecture => "GPT2LMHeadModel";

    public DecoderSpec Describe(ConfigReader config) => Spec(Gpt2ConfigJson.Parse(config.Root.ToJsonString()));

    public static DecoderSpec Spec(Gpt2Config c)
    {
        c.Validate();
        return new DecoderSpec
        {
            ModelType = "gpt2",
            Keys = Keys,
            VocabSize = c.VocabSize,
            HiddenSize = c.NEmbd,
            Layers = c.NLayer,
            ContextLength = c.NPositions,
            Norm = new NormSpec(NormKind.LayerNorm, c.LayerNormEpsilon, Bias: true),
            Attention = new AttentionSpec
            {
                Heads = c.NHead, KeyValueHeads = c.NHead, HeadDim = c.HeadDim, FusedQkv = true, QkvBias = true, OutputBias = true,
                Scale = c.ScaleAttnWeights ? 1.0 / Math.Sqrt(c.HeadDim) : 1.0,
                ScaleByInverseLayerIndex = c.ScaleAttnByInverseLayerIdx,
                Dropout = c.AttnPdrop,
            },
            Mlp = new MlpSpec(MlpKind.Plain, c.InnerSize, c.ActivationFunction, Bias: true),
            SlidingWindows = new int?[c.NLayer],
            LinearLayout = LinearLayout.InOut,
            TieWordEmbeddings = c.TieWordEmbeddings,
            EmbeddingDropout = c.EmbdPdrop,
            ResidualDropout = c.ResidPdrop,
            InitializerRange = c.InitializerRange,
        };
    }

    /// <summary>Checkpoints exist with and without the "transformer." prefix; lm_head never has it.</summary>
    public IEnumerable<string> KeyCandidates(string parameterName) =>
        parameterName.StartsWith("transformer.", StringComparison.Ordinal)
            ? [parameterName, parameterName["transformer.".Length..]]
            : [parameterName];

    /// <summary>The causal-mask buffers old checkpoints carry (h.N.attn.bias / masked_bias) are not weights.</summary>
    public bool IsBuffer(string key) => AttentionBuffer().IsMatch(key);

    [GeneratedRegex(@"^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex AttentionBuffer();

    internal static DecoderKeys Keys { get; } = new()
    {
        Embedding = "transformer.wte",
        PositionEmbedding = "transformer.wpe",
        LayerPrefix = "transformer.h.{0}",
        InputNorm = "ln_1",
        PostAttentionNorm = "ln_2",
        Attention = "attn",
        FusedQkv = "c_attn",
        Output = "c_proj",
        Mlp = "mlp",
        Up = "c_fc",
        Down = "c_proj",
        FinalNorm = "transformer.ln_f",
    };
}
