namespace LocalFineTune.Tokenizers;

/// <summary>
/// Token ids with the (Start, End) UTF-16 offsets of each token in the input text.
/// </summary>
/// <remarks>
/// Offsets are exact for tokenizers without a normalizer (GPT-2, Llama-3 style); when a normalizer
/// or a Metaspace prefix changes the text, each token reports the span of the pre-token it came from.
/// Special tokens added by the post-processor get (0, 0), as in HF.
/// </remarks>
public sealed record Encoding(int[] Ids, (int Start, int End)[] Offsets);
