namespace LocalFineTune.Server.Inference;

/// <summary>The model cache's setting, read from the "LocalFineTune" section like the server's other options.</summary>
public sealed record ModelCacheOptions
{
    /// <summary>
    /// Bytes of weights (bases and adapters) kept in memory between requests, least recently used freed first. Unset:
    /// half of the physical memory (or of the container's limit). 0: nothing is kept, every request loads its model.
    /// Models in use are never freed, so memory can exceed the budget while they generate.
    /// </summary>
    public long? ModelCacheBytes { get; set; }

    public long BudgetBytes => ModelCacheBytes ?? DefaultBudgetBytes;

    public static long DefaultBudgetBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
}
