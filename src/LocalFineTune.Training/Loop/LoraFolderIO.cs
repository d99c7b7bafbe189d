using LocalFineTune.Models;
using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;

namespace LocalFineTune.Training.Loop;

/// <summary>
/// LoRA checkpoints hold only the adapter (PEFT format, a few MB) and its optimizer state: the base is frozen, so
/// saving it again every checkpoint would only cost disk and time.
/// </summary>
public sealed class LoraFolderIO(LoadedModel loaded) : IModelFolderIO
{
    public void Save(ICausalLanguageModel model, string directory) => AdapterFolders.SaveAdapter(loaded, directory);

    public void Restore(ICausalLanguageModel model, string directory)
    {
        var (_, _, weights) = PeftAdapter.Load(directory);
        try
        {
            var saved = weights.SelectMany(w => new[] { (w.Key + ".lora_A.weight", w.Value.A), (w.Key + ".lora_B.weight", w.Value.B) }).ToList();
            WeightCopy.ByName(saved, model.TrainableParameters, directory);
        }
        finally
        {
            foreach (var (a, b) in weights.Values) { a.Dispose(); b.Dispose(); }
        }
    }
}
