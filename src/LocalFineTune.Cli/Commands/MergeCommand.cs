using System.CommandLine;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft merge --base DIR --adapter DIR --out DIR`: folds a PEFT LoRA adapter (ours, or one PEFT saved) into its base and
/// writes an ordinary Hugging Face folder (plus the adapter in adapter/). --adapter may also be a fine-tuned folder
/// trained with merge off; its adapter/ is used. Exit 0 merged, 2 bad input.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var baseDir = new Option<string?>("--base") { Description = "Base model folder (default: the adapter's base_model_name_or_path)" };
        var adapter = new Option<string>("--adapter") { Description = "Folder with adapter_config.json + adapter_model.safetensors, or a fine-tuned folder with adapter/", Required = true };
        var output = new Option<string>("--out") { Description = "Where the merged model folder is written (replaced if it exists)", Required = true };
        var command = new Command("merge", "Merge a LoRA adapter into its base model and save a plain Hugging Face folder.");
        command.Options.Add(baseDir);
        command.Options.Add(adapter);
        command.Options.Add(output);
        command.SetAction(p => Run(p.GetValue(baseDir), p.GetValue(adapter)!, p.GetValue(output)!));
        return command;
    }

    private static int Run(string? baseDir, string adapter, string output)
    {
        try
        {
            var adapterDir = AdapterFolders.AdapterDirOf(adapter) ?? adapter;
            var baseFolder = baseDir ?? AdapterFolders.BaseDirectoryOf(adapterDir);
            using var loaded = AdapterFolders.LoadWithAdapter(baseFolder, adapterDir, Device.Cpu);
            AdapterFolders.SaveMerged(loaded, output);
            Console.WriteLine($"merged {loaded.Lora!.Adapters.Count} LoRA layers (r {loaded.Lora.Settings.R}) of {adapterDir} into {Path.GetFullPath(baseFolder)} → {Path.GetFullPath(output)}");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or TorchException)
        {
            Console.Error.WriteLine($"lft merge: {e.Message}");
            return 2;
        }
    }
}
