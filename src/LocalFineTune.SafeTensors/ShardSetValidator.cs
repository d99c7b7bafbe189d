namespace LocalFineTune.SafeTensors;

/// <summary>
/// Cross-checks the index against the opened shards: no tensor in two shards, each mapped tensor is in
/// the shard the map names, and no shard holds a tensor the map does not list. A mismatch means the
/// index and shards come from different saves, so loading would mix weights silently.
/// </summary>
internal static class ShardSetValidator
{
    private const string FixHint = "The index and shards come from different saves; re-save the model or re-download all its files.";

    public static Dictionary<string, SafeTensorsFile> Validate(string indexPath, ShardIndex index, IReadOnlyDictionary<string, SafeTensorsFile> shards)
    {
        var owner = new Dictionary<string, (string Shard, SafeTensorsFile File)>(StringComparer.Ordinal);
        foreach (var (shardName, file) in shards.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var tensor in file.Tensors.Keys)
            {
                if (owner.TryGetValue(tensor, out var first))
                    throw new SafeTensorsFormatException(indexPath,
                        $"tensor '{tensor}' is stored in two shards, '{first.Shard}' and '{shardName}'. Which one is meant is ambiguous. {FixHint}");
                owner.Add(tensor, (shardName, file));
            }
        }
        CheckMapAgainstShards(indexPath, index, owner);
        return owner.ToDictionary(p => p.Key, p => p.Value.File, StringComparer.Ordinal);
    }

    private static void CheckMapAgainstShards(string indexPath, ShardIndex index, Dictionary<string, (string Shard, SafeTensorsFile File)> owner)
    {
        foreach (var (tensor, shardName) in index.WeightMap)
        {
            if (!owner.TryGetValue(tensor, out var actual))
                throw new SafeTensorsFormatException(indexPath,
                    $"weight_map puts tensor '{tensor}' in '{shardName}', but no shard holds it. {FixHint}");
            if (actual.Shard != shardName)
                throw new SafeTensorsFormatException(indexPath,
                    $"weight_map puts tensor '{tensor}' in '{shardName}', but it is stored in '{actual.Shard}'. {FixHint}");
        }
        foreach (var (tensor, actual) in owner)
        {
            if (!index.WeightMap.ContainsKey(tensor))
                throw new SafeTensorsFormatException(indexPath,
                    $"shard '{actual.Shard}' holds tensor '{tensor}', which weight_map does not list. {FixHint}");
        }
    }
}
