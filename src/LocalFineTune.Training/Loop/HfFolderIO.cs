using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Loop;

/// <summary>Checkpoints as real HF folders (float32, so resume is bit-exact), tokenizer files copied from the base.</summary>
public sealed class HfFolderIO(ModelConfig config, string tokenizerSourceDir) : IModelFolderIO
{
    public void Save(ICausalLanguageModel model, string directory) =>
        HfModelFolder.Save(model, config, directory, tokenizerSourceDir, ScalarType.Float32);

    public void Restore(ICausalLanguageModel model, string directory)
    {
        using var saved = HfModelFolder.Load(directory, model.Device);
        WeightCopy.ByName(saved.Model.NamedParameters, model.NamedParameters, directory);
    }
}
