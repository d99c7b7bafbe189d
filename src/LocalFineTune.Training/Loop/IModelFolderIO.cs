using LocalFineTune.Models;

namespace LocalFineTune.Training.Loop;

/// <summary>
/// How the trainer writes a checkpoint's model files and copies them back into the live model on resume, without
/// knowing the architecture: a whole HF folder for full fine-tuning (<see cref="HfFolderIO"/>), only the adapter in
/// PEFT format for LoRA (<see cref="LoraFolderIO"/>).
/// </summary>
public interface IModelFolderIO
{
    /// <summary>Writes what resume needs of the model into an existing empty directory.</summary>
    void Save(ICausalLanguageModel model, string directory);

    /// <summary>Copies the weights saved in <paramref name="directory"/> into <paramref name="model"/>, checked by name and shape.</summary>
    void Restore(ICausalLanguageModel model, string directory);
}
