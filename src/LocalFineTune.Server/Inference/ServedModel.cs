using LocalFineTune.Models;
using LocalFineTune.Models.Lora;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Server.Inference;

/// <summary>
/// One request's hold on a cached model (and its adapter): neither is freed until this is disposed. Generations go
/// through <see cref="Run"/>, which takes the base's lock, so requests on one base run one at a time whichever adapter
/// they use, and never see another request's adapter.
/// </summary>
public sealed class ServedModel(string directory, CacheLease<CachedBase> baseLease, CacheLease<CachedAdapter>? adapterLease) : IDisposable
{
    /// <summary>The folder the request named (for an adapter-only fine-tune, not its base).</summary>
    public string Directory { get; } = directory;

    /// <summary>The folder's tokenizer: thread-safe, usable outside <see cref="Run"/> (e.g. to count a prompt).</summary>
    public Tokenizer Tokenizer => adapterLease?.Value.Tokenizer ?? baseLease.Value.Model.Loaded.Tokenizer;

    public int ContextLength => baseLease.Value.Model.Model.ContextLength;

    /// <summary>The adapter applied per request; null for a plain model.</summary>
    public ServingAdapter? Adapter => adapterLease?.Value.Adapter;

    /// <summary>
    /// Runs <paramref name="work"/> on this thread with the model as this folder defines it (the base with this folder's
    /// adapter, or the plain model), after the requests before it on the same base; the wait honours the token.
    /// </summary>
    public T Run<T>(Func<ICausalLanguageModel, Tokenizer, T> work, CancellationToken cancellation)
    {
        var cached = baseLease.Value;
        cached.Gate.Wait(cancellation);
        try
        {
            using var active = cached.Model.Slots.Activate(Adapter);
            return work(cached.Model.Model, Tokenizer);
        }
        finally
        {
            cached.Gate.Release();
        }
    }

    public void Dispose()
    {
        adapterLease?.Dispose();
        baseLease.Dispose();
    }
}
