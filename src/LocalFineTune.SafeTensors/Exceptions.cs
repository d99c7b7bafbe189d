namespace LocalFineTune.SafeTensors;

/// <summary>Base of all errors this library raises about checkpoint files and folders.</summary>
public class SafeTensorsException : Exception
{
    public SafeTensorsException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// A safetensors file, shard index or shard set violates the format. The message names the file,
/// the tensor (where there is one), what is wrong and how to fix it. Nothing of the file is loaded.
/// </summary>
public sealed class SafeTensorsFormatException : SafeTensorsException
{
    public SafeTensorsFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => FilePath = path;

    /// <summary>The offending file.</summary>
    public string FilePath { get; }
}

/// <summary>
/// The folder holds only pickle checkpoints (pytorch_model.bin and friends), which we refuse to load.
/// </summary>
public sealed class PickleCheckpointRefusedException : SafeTensorsException
{
    public PickleCheckpointRefusedException(string message, IReadOnlyList<string> pickleFiles)
        : base(message) => PickleFiles = pickleFiles;

    /// <summary>The pickle files found, so a caller can show or convert them.</summary>
    public IReadOnlyList<string> PickleFiles { get; }
}

/// <summary>The folder holds no model weights at all.</summary>
public sealed class ModelWeightsNotFoundException : SafeTensorsException
{
    public ModelWeightsNotFoundException(string message) : base(message) { }
}
