using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>RMSNorm (HF's: normalised in float32, then scaled) or LayerNorm over the last dimension.</summary>
internal sealed class Norm(Tensor weight, Tensor? bias, NormSpec spec)
{
    public Tensor Forward(Tensor x) => spec.Kind == NormKind.RmsNorm
        ? Functional.RmsNorm(x, weight, spec.Epsilon)
        : Functional.LayerNorm(x, [weight.Size(0)], weight, bias, spec.Epsilon);
}

/// <summary>transformers' ACT2FN by name: the activations our configs may name.</summary>
public static class Activations
{
    public static IReadOnlyList<string> Supported { get; } =
        ["gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "relu", "silu", "swish", "tanh"];

    public static Tensor Apply(Tensor x, string name) => name switch
    {
        // gelu_fast is the same tanh approximation written with other constants (agrees to float32 rounding).
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => Functional.Gelu(x, tanhApproximation: true),
        "gelu" => Functional.Gelu(x),
        "relu" => Functional.Relu(x),
        "silu" or "swish" => Functional.Silu(x),
        "tanh" => x.Tanh(),
        _ => throw Unsupported(name),
    };

    public static NotSupportedException Unsupported(string name) =>
        new($"activation \"{name}\" is not supported. Supported: {string.Join(", ", Supported)}.");
}
