using LocalFineTune.Models;
using LocalFineTune.Torch;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Preference;

/// <summary>DPO loss and preference metrics over held-out pairs, dropout off, no graph.</summary>
public static class PreferenceEvaluator
{
    public static EvaluationResult Evaluate(ICausalLanguageModel policy, IReferenceModel reference, IReadOnlyList<TokenizedPair> pairs,
        int batchSize, int padTokenId, DpoOptions options, int step, string datasetName, CancellationToken cancellation = default,
        ScalarType? autocast = null)
    {
        var wasTraining = policy.Training;
        policy.Training = false;
        try
        {
            var metrics = new PreferenceMetrics();
            long answerTokens = 0;
            using var noGrad = NoGradScope.Enter();
            foreach (var chunk in pairs.Chunk(batchSize))
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = DisposeScope.Enter();
                var batch = PreferenceBatch.Collate(chunk, padTokenId);
                metrics.Add(DpoObjective.Forward(policy, reference, batch, options, autocast));
                answerTokens += batch.Rows.TargetCount;
            }
            return new EvaluationResult(step, metrics.MeanLoss, (int)Math.Min(int.MaxValue, answerTokens), datasetName) { Metrics = metrics.ToDictionary() };
        }
        finally
        {
            policy.Training = wasTraining;
        }
    }
}
