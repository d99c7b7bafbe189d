using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Output;

/// <summary>
/// Loads the model a job trains, as its resolved method says: the plain base for full fine-tuning; for LoRA the base
/// with new adapters, or, when the folder is itself a LoRA fine-tune, its original base with that adapter to continue
/// (next month's retrain picks up where this month's adapter ended).
/// </summary>
public static class TrainingModels
{
    public static LoadedModel Load(string modelDir, TrainingOptions options, ITrainingProgress progress)
    {
        var device = Device.Parse(options.Device);
        if (!options.UsesLora) return HfModelFolder.Load(modelDir, device);
        var lora = options.Lora ?? new LoraOptions();
        if (AdapterFolders.AdapterDirOf(modelDir) is not { } adapterDir)
            return AdapterFolders.LoadWithNewAdapter(modelDir, lora.ToSettings(options.Seed), device);
        string originalBase;
        try
        {
            originalBase = AdapterFolders.BaseDirectoryOf(adapterDir);
        }
        catch (DirectoryNotFoundException) when (!AdapterFolders.IsAdapterOnly(modelDir))
        {
            progress.OnMessage($"the base of {Path.GetFileName(modelDir)}'s adapter is gone; training a new adapter on its merged weights");
            return AdapterFolders.LoadWithNewAdapter(modelDir, lora.ToSettings(options.Seed), device);
        }
        progress.OnMessage($"continuing the LoRA adapter of {Path.GetFileName(modelDir)} on its base {originalBase}");
        return AdapterFolders.LoadWithAdapter(originalBase, adapterDir, device, tokenizerDir: modelDir);
    }
}
