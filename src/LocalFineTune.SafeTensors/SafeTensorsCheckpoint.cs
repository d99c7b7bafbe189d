namespace LocalFineTune.SafeTensors;

/// <summary>
/// The weights of a model folder: one model.safetensors or a sharded set behind
/// model.safetensors.index.json, presented as one name -> tensor map. Every file is validated and
/// the shard set is cross-checked on open; on any error nothing stays open.
/// </summary>
public sealed unsafe class SafeTensorsCheckpoint : IDisposable
{
    private readonly IReadOnlyList<SafeTensorsFile> _files;
    private readonly Dictionary<string, SafeTensorsFile> _fileByTensor;

    private SafeTensorsCheckpoint(IReadOnlyList<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> fileByTensor, long? declaredTotalSize)
    {
        _files = files;
        _fileByTensor = fileByTensor;
        DeclaredTotalSize = declaredTotalSize;
    }

    /// <summary>All tensor names.</summary>
    public IReadOnlyCollection<string> Names => _fileByTensor.Keys;

    /// <summary>The opened files: one, or the shards.</summary>
    public IReadOnlyList<SafeTensorsFile> Files => _files;

    /// <summary>Whether the weights come from a shard index.</summary>
    public bool IsSharded { get; private init; }

    /// <summary>The index's metadata.total_size (sum of tensor bytes) for sharded checkpoints; null otherwise or when absent.</summary>
    public long? DeclaredTotalSize { get; }

    /// <summary>Metadata of the (first) file, e.g. {"format": "pt"}.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _files[0].Metadata;

    /// <summary>Opens the weights of a Hugging Face model folder; refuses pickle-only folders with a conversion hint.</summary>
    public static SafeTensorsCheckpoint OpenFolder(string modelDir)
    {
        var (layout, path) = ModelFolder.Locate(modelDir);
        return layout == WeightsLayout.SingleFile ? OpenFile(path) : OpenIndex(path);
    }

    /// <summary>Opens a single .safetensors file as a checkpoint.</summary>
    public static SafeTensorsCheckpoint OpenFile(string path)
    {
        var file = SafeTensorsFile.Open(path);
        var byTensor = file.Tensors.Keys.ToDictionary(n => n, _ => file, StringComparer.Ordinal);
        return new SafeTensorsCheckpoint([file], byTensor, null);
    }

    /// <summary>Opens a sharded checkpoint from its model.safetensors.index.json.</summary>
    public static SafeTensorsCheckpoint OpenIndex(string indexPath)
    {
        string fullIndexPath = Path.GetFullPath(indexPath);
        var index = ShardIndex.Read(fullIndexPath);
        var shards = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            OpenShards(fullIndexPath, index, shards);
            var byTensor = ShardSetValidator.Validate(fullIndexPath, index, shards);
            return new SafeTensorsCheckpoint(shards.Values.ToList(), byTensor, index.TotalSize) { IsSharded = true };
        }
        catch
        {
            foreach (var shard in shards.Values) shard.Dispose();
            throw;
        }
    }

    private static void OpenShards(string indexPath, ShardIndex index, Dictionary<string, SafeTensorsFile> shards)
    {
        string dir = Path.GetDirectoryName(indexPath)!;
        foreach (var (tensor, shardName) in index.WeightMap.OrderBy(p => p.Value, StringComparer.Ordinal))
        {
            if (shards.ContainsKey(shardName)) continue;
            string shardPath = Path.Combine(dir, shardName);
            if (!File.Exists(shardPath))
                throw new SafeTensorsFormatException(indexPath,
                    $"shard '{shardName}' (listed for tensor '{tensor}' and maybe others) does not exist in {dir}. " +
                    "Copy or download the missing shard, or regenerate the index.");
            shards.Add(shardName, SafeTensorsFile.Open(shardPath));
        }
    }

    /// <summary>Whether the checkpoint holds a tensor of this name.</summary>
    public bool Contains(string name) => _fileByTensor.ContainsKey(name);

    /// <summary>The entry of a tensor; throws <see cref="KeyNotFoundException"/> naming the checkpoint if absent.</summary>
    public TensorEntry Get(string name) => FileOf(name).GetEntry(name);

    /// <summary>The file that holds a tensor.</summary>
    public SafeTensorsFile FileOf(string name) =>
        _fileByTensor.TryGetValue(name, out var file)
            ? file
            : throw new KeyNotFoundException(
                $"No tensor named '{name}' in the checkpoint {(IsSharded ? "shards" : "file")} {string.Join(", ", _files.Select(f => f.Path))} ({_fileByTensor.Count} tensors).");

    /// <summary>Raw bytes of a tensor over the mapped file; see <see cref="SafeTensorsFile.GetBytes"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(string name) => FileOf(name).GetBytes(name);

    /// <summary>Pointer to a tensor's bytes; see <see cref="SafeTensorsFile.GetPointer"/>.</summary>
    public byte* GetPointer(string name) => FileOf(name).GetPointer(name);

    public void Dispose()
    {
        foreach (var file in _files) file.Dispose();
    }
}
