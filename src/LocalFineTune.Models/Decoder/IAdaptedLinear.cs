using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>
/// A projection that carries its own trainable tensors on top of frozen base weights (LoRA). The decoder lists
/// them in <see cref="DecoderModel.TrainableParameters"/> and passes its Training flag on (adapter dropout).
/// </summary>
public interface IAdaptedLinear : ILinear
{
    bool Training { get; set; }

    /// <summary>Trainable tensors by full name, e.g. "model.layers.0.self_attn.q_proj.lora_A.weight".</summary>
    IEnumerable<(string Name, Tensor Parameter)> AdapterParameters { get; }
}
