using LocalFineTune.Models;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Loop;

/// <summary>
/// How the trainer writes and re-reads a model folder (checkpoints, final output) without knowing the architecture.
/// The GPT-2 implementation is <see cref="HfFolderIO"/>; tests may plug in a tiny model of their own.
/// </summary>
public interface IModelFolderIO
{
    /// <summary>Writes a complete, loadable model folder (config, weights, tokenizer files) into an existing empty directory.</summary>
    void Save(ICausalLanguageModel model, string directory);

    /// <summary>Loads a folder written by <see cref="Save"/>; resume copies its weights into the live model by name.</summary>
    ICausalLanguageModel Load(string directory, Device device);
}
