using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Lora;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.Inference;

/// <summary>
/// The models every inference endpoint (/v1/chat/completions, /v1/completions, /api/generate) runs on, kept in memory
/// between requests: one <see cref="LeasedLruCache"/> under LocalFineTune:ModelCacheBytes holds base models (keyed by
/// their folder) and LoRA adapters (keyed by their adapter/ folder). An adapter-only fine-tuned folder (trained with
/// merge off) is served as its cached base with the adapter switched in per request, unmerged, so any number of such
/// fine-tunes of one base share one copy of its weights. Every other folder, merged fine-tunes included, serves its own weights.
/// </summary>
public sealed class ModelCache(IOptions<ModelCacheOptions> options) : IDisposable
{
    private const long AdapterEstimateBytes = 0; // adapters are small next to a base; no room is made ahead for them

    private readonly LeasedLruCache _cache = new(Checked(options.Value.BudgetBytes));

    public CacheStats Stats => _cache.Stats;

    /// <summary>Cache keys of the loaded bases ("model:&lt;folder&gt;") and adapters ("adapter:&lt;folder&gt;"), most recent first.</summary>
    public IReadOnlyList<string> CachedKeys => _cache.Keys;

    /// <summary>
    /// The model in <paramref name="modelDir"/>, from the cache or loaded now on this thread, leased until the result is
    /// disposed. Throws what loading throws (missing folder, bad config or weights, an adapter that does not fit its base).
    /// </summary>
    public ServedModel Acquire(string modelDir, CancellationToken cancellation)
    {
        var dir = Path.GetFullPath(modelDir);
        var adapterDir = AdapterFolders.IsAdapterOnly(dir) ? AdapterFolders.AdapterDirOf(dir) : null;
        var baseDir = adapterDir is null ? dir : AdapterFolders.BaseDirectoryOf(adapterDir);
        var baseLease = _cache.Acquire("model:" + baseDir, FolderFingerprint.OfModel(baseDir), FolderFingerprint.WeightBytesOnDisk(baseDir),
            () => new CachedBase(ServingModel.Load(baseDir, Device.Cpu)), cancellation);
        try
        {
            var adapterLease = adapterDir is null ? null
                : _cache.Acquire("adapter:" + adapterDir, FolderFingerprint.OfAdapter(dir, adapterDir), AdapterEstimateBytes,
                    () => CachedAdapter.Load(dir, adapterDir, baseLease.Value.Model), cancellation);
            return new ServedModel(dir, baseLease, adapterLease);
        }
        catch
        {
            baseLease.Dispose();
            throw;
        }
    }

    public void Dispose() => _cache.Dispose();

    private static long Checked(long budget) => budget >= 0 ? budget
        : throw new InvalidOperationException($"LocalFineTune:ModelCacheBytes is {budget}; use 0 (keep no model between requests) or a number of bytes.");
}

/// <summary>A base model in the cache, with the lock that serialises requests on it (the active adapter is model state).</summary>
public sealed class CachedBase(ServingModel model) : ICachedValue
{
    public ServingModel Model { get; } = model;
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public long Bytes => Model.Bytes;

    public void Dispose()
    {
        Model.Dispose();
        Gate.Dispose();
    }
}

/// <summary>An adapter in the cache, in its base's dtype and device, with the tokenizer of the fine-tuned folder that holds it.</summary>
public sealed class CachedAdapter(ServingAdapter adapter, Tokenizer tokenizer) : ICachedValue
{
    public ServingAdapter Adapter { get; } = adapter;
    public Tokenizer Tokenizer { get; } = tokenizer;
    public long Bytes => Adapter.Bytes;

    public static CachedAdapter Load(string modelDir, string adapterDir, ServingModel baseModel)
    {
        var tokenizer = Tokenizer.FromFolder(modelDir);
        if (tokenizer.VocabSize > baseModel.Loaded.Config.VocabSize)
            throw new InvalidDataException($"The tokenizer in '{modelDir}' has {tokenizer.VocabSize} tokens but its base's vocab_size is " +
                $"{baseModel.Loaded.Config.VocabSize}; the folder does not belong to the base its adapter names.");
        var adapter = ServingAdapter.Load(adapterDir, baseModel.Device, baseModel.DType);
        try
        {
            adapter.CheckFits(baseModel.Slots);
            return new CachedAdapter(adapter, tokenizer);
        }
        catch
        {
            adapter.Dispose();
            throw;
        }
    }

    public void Dispose() => Adapter.Dispose();
}
