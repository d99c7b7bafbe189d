using System.Text.RegularExpressions;

namespace LocalFineTune.SafeTensors;

/// <summary>
/// Saves a model's weights into a folder as transformers does: model.safetensors when everything fits
/// in one shard, else model-0000X-of-0000Y.safetensors plus model.safetensors.index.json.
/// </summary>
public static partial class ShardedSafeTensorsWriter
{
    /// <summary>
    /// Writes the tensors into <paramref name="modelDir"/>, splitting them greedily in the given order
    /// into shards of at most <paramref name="maxShardBytes"/> tensor bytes (a bigger tensor gets a shard
    /// of its own). Shards are written before the index, and weight files of an earlier save that the
    /// new save does not use are deleted afterwards, so the folder never mixes two saves once done.
    /// Returns the file names written.
    /// </summary>
    public static IReadOnlyList<string> Write(string modelDir, IReadOnlyList<TensorToWrite> tensors, long maxShardBytes,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        SafeTensorsWriter.ValidateNames(tensors);
        var shards = PlanShards(tensors, maxShardBytes);
        var written = shards.Count <= 1
            ? WriteSingle(modelDir, tensors, metadata)
            : WriteShards(modelDir, shards, metadata);
        DeleteStaleWeightFiles(modelDir, written);
        return written;
    }

    /// <summary>Greedy split in input order, like transformers/huggingface_hub.</summary>
    internal static List<List<TensorToWrite>> PlanShards(IReadOnlyList<TensorToWrite> tensors, long maxShardBytes)
    {
        var shards = new List<List<TensorToWrite>>();
        var current = new List<TensorToWrite>();
        long currentBytes = 0;
        foreach (var tensor in tensors)
        {
            if (current.Count > 0 && currentBytes + tensor.ByteLength > maxShardBytes)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(tensor);
            currentBytes += tensor.ByteLength;
        }
        if (current.Count > 0) shards.Add(current);
        return shards;
    }

    private static List<string> WriteSingle(string modelDir, IReadOnlyList<TensorToWrite> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        SafeTensorsWriter.Write(Path.Combine(modelDir, ModelFolder.SingleFileName), tensors, metadata);
        return [ModelFolder.SingleFileName];
    }

    private static List<string> WriteShards(string modelDir, List<List<TensorToWrite>> shards, IReadOnlyDictionary<string, string>? metadata)
    {
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        var written = new List<string>();
        long totalSize = 0;
        for (int i = 0; i < shards.Count; i++)
        {
            string shardName = ModelFolder.ShardFileName(i + 1, shards.Count);
            SafeTensorsWriter.Write(Path.Combine(modelDir, shardName), shards[i], metadata);
            foreach (var tensor in shards[i])
            {
                weightMap[tensor.Name] = shardName;
                totalSize += tensor.ByteLength;
            }
            written.Add(shardName);
        }
        // Last, so a crash before this point leaves no index pointing at a half-written shard set.
        ShardIndex.Write(Path.Combine(modelDir, ModelFolder.IndexFileName), weightMap, totalSize);
        written.Add(ModelFolder.IndexFileName);
        return written;
    }

    private static void DeleteStaleWeightFiles(string modelDir, List<string> written)
    {
        foreach (var path in Directory.GetFiles(modelDir))
        {
            string name = Path.GetFileName(path);
            bool ours = name == ModelFolder.SingleFileName || name == ModelFolder.IndexFileName || ShardName().IsMatch(name);
            if (ours && !written.Contains(name)) File.Delete(path);
        }
    }

    [GeneratedRegex(@"^model-\d{5}-of-\d{5}\.safetensors$")]
    private static partial Regex ShardName();
}
