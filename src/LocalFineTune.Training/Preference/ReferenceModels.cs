using LocalFineTune.Models;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Lora;
using LocalFineTune.Torch;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// What DPO compares the policy with: log π_ref of every row of a batch (summed over the answer, no graph, dropout
/// off). The reference is the model as training started and never changes.
/// </summary>
public interface IReferenceModel : IDisposable
{
    /// <summary>For the run's messages: "frozen copy of the starting weights", …</summary>
    string Description { get; }

    /// <summary>Summed answer log-probs [2·Pairs] (chosen rows first), float32.</summary>
    Tensor LogProbs(PreferenceBatch batch, Tensor inputIds, Tensor labels);
}

/// <summary>A separate model holding the starting weights (a frozen copy, or one the caller loaded).</summary>
public sealed class FrozenModelReference(ICausalLanguageModel model, bool ownsModel, string description) : IReferenceModel
{
    public string Description => description;

    public Tensor LogProbs(PreferenceBatch batch, Tensor inputIds, Tensor labels)
    {
        model.Training = false;
        return ReferenceScope.Run(() => SequenceLogProbs.Summed(model.Forward(inputIds), labels));
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}

/// <summary>
/// LoRA's free reference: the policy itself with every adapter switched off is exactly the frozen base, so no second
/// copy of the weights is needed (half the memory of a frozen copy).
/// </summary>
public sealed class DisabledAdapterReference(ICausalLanguageModel policy, IReadOnlyList<LoraLinear> adapters) : IReferenceModel
{
    public string Description => $"the base with its {adapters.Count} LoRA adapters disabled";

    /// <summary>The adapters of a model built with LoRA (empty for a plain model).</summary>
    public static IReadOnlyList<LoraLinear> AdaptersOf(ICausalLanguageModel model) =>
        model is DecoderModel decoder ? decoder.Linears.Values.OfType<LoraLinear>().ToList() : [];

    public Tensor LogProbs(PreferenceBatch batch, Tensor inputIds, Tensor labels)
    {
        var wasTraining = policy.Training;
        try
        {
            policy.Training = false;
            foreach (var adapter in adapters) adapter.Enabled = false;
            return ReferenceScope.Run(() => SequenceLogProbs.Summed(policy.Forward(inputIds), labels));
        }
        finally
        {
            foreach (var adapter in adapters) adapter.Enabled = true;
            policy.Training = wasTraining;
        }
    }

    public void Dispose() { }
}

/// <summary>
/// A reference forward without graph in its own disposal scope: its activations and [rows, seq, vocab] logits are
/// freed as soon as the [rows] log-probs exist, instead of living until the step's scope ends (as the policy's,
/// which backward needs, must). Without this a DPO step held a second forward's worth of activations.
/// </summary>
internal static class ReferenceScope
{
    public static Tensor Run(Func<Tensor> forward)
    {
        using var noGrad = NoGradScope.Enter();
        using var scope = DisposeScope.Enter();
        return scope.MoveToOuter(forward())!;
    }
}

/// <summary>
/// Reference log-probs computed once, before training, by another reference (one pass over every pair), then looked
/// up by pair index: the reference model can be freed and each step does one forward instead of two.
/// </summary>
public sealed class PrecomputedReference : IReferenceModel
{
    private readonly Dictionary<int, (float Chosen, float Rejected)> _byPair = [];

    public string Description { get; }

    private PrecomputedReference(string description) => Description = description;

    public static PrecomputedReference Compute(IReferenceModel source, IEnumerable<TokenizedPair> pairs, int batchSize, int padTokenId,
        Device device, CancellationToken cancellation)
    {
        var table = new PrecomputedReference($"precomputed from {source.Description}");
        foreach (var chunk in pairs.Chunk(batchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = DisposeScope.Enter();
            var batch = PreferenceBatch.Collate(chunk, padTokenId);
            var (ids, labels) = batch.Tensors(device);
            var values = source.LogProbs(batch, ids, labels).To(ScalarType.Float32).ToArray<float>();
            for (var i = 0; i < chunk.Length; i++) table._byPair[chunk[i].Index] = (values[i], values[i + chunk.Length]);
        }
        return table;
    }

    public Tensor LogProbs(PreferenceBatch batch, Tensor inputIds, Tensor labels)
    {
        var values = new float[batch.Pairs * 2];
        for (var i = 0; i < batch.Pairs; i++)
        {
            if (!_byPair.TryGetValue(batch.PairIndices[i], out var pair))
                throw new InvalidOperationException($"no precomputed reference log-probs for pair {batch.PairIndices[i]}");
            (values[i], values[i + batch.Pairs]) = pair;
        }
        return Tensor.FromSpan<float>(values, [values.Length], inputIds.Device);
    }

    public void Dispose() { }
}
