using LocalFineTune.Models;
using LocalFineTune.Torch;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// The DPO forward: one policy pass over chosen and rejected rows, the reference's log-probs for the same rows, and
/// the loss terms. IPO works on per-token mean log-probs (TRL's choice); sigmoid DPO on sums, as the paper.
/// </summary>
public static class DpoObjective
{
    public static DpoTerms Forward(ICausalLanguageModel policy, IReferenceModel reference, PreferenceBatch batch, DpoOptions options,
        ScalarType? autocast = null)
    {
        var (ids, labels) = batch.Tensors(policy.Device);
        using var mixed = AutocastScope.Enter(policy.Device, autocast);
        var referenceLogps = reference.LogProbs(batch, ids, labels);
        var policyLogps = SequenceLogProbs.Summed(policy.Forward(ids), labels);
        if (options.LossType == DpoLossType.Ipo)
        {
            var counts = batch.AnswerTokenCounts(policy.Device);
            policyLogps = policyLogps / counts;
            referenceLogps = referenceLogps / counts;
        }
        long pairs = batch.Pairs;
        return DpoLoss.Compute(policyLogps.Slice(0, 0, pairs), policyLogps.Slice(0, pairs, 2 * pairs),
            referenceLogps.Slice(0, 0, pairs), referenceLogps.Slice(0, pairs, 2 * pairs), options);
    }

    /// <summary>
    /// Backward of every micro-batch of one optimizer step, each micro-batch's summed loss divided by the step's pair
    /// count so that accumulation equals one big batch. Returns the step's mean loss; the metrics collect its terms.
    /// </summary>
    public static double AccumulateGradients(ICausalLanguageModel policy, IReferenceModel reference, IReadOnlyList<PreferenceBatch> microBatches,
        DpoOptions options, PreferenceMetrics metrics, CancellationToken cancellation, ScalarType? autocast = null)
    {
        var stepPairs = microBatches.Sum(b => b.Pairs);
        double loss = 0;
        foreach (var batch in microBatches)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = DisposeScope.Enter();
            var terms = Forward(policy, reference, batch, options, autocast);
            var scaled = terms.Losses.Sum().Div(stepPairs);
            scaled.Backward();
            loss += scaled.ToDouble();
            metrics.Add(terms);
        }
        return loss;
    }
}
