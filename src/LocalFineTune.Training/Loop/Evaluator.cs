using LocalFineTune.Models;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Training.Loop;

/// <summary>Mean next-token loss over a dataset, token-weighted (sum of losses ÷ target count), dropout off, no graph.</summary>
public static class LossEvaluator
{
    public static EvaluationResult Evaluate(ICausalLanguageModel model, IReadOnlyList<TokenizedSequence> sequences,
        int batchSize, int padTokenId, int step, string datasetName, CancellationToken cancellation = default, ScalarType? autocast = null)
    {
        var wasTraining = model.Training;
        model.Training = false;
        try
        {
            double lossSum = 0;
            var targets = 0;
            using var noGrad = NoGradScope.Enter();
            for (var start = 0; start < sequences.Count; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = Batch.Collate(sequences.Skip(start).Take(batchSize).ToList(), padTokenId);
                using var scope = DisposeScope.Enter();
                var (ids, labels) = BatchTensors.Of(batch, model.Device);
                using var mixed = AutocastScope.Enter(model.Device, autocast);
                lossSum += LanguageModelLoss.Compute(model.Forward(ids), labels, Reduction.Sum).ToDouble();
                targets += batch.TargetCount;
            }
            return new EvaluationResult(step, targets == 0 ? double.NaN : lossSum / targets, targets, datasetName);
        }
        finally
        {
            model.Training = wasTraining;
        }
    }
}

internal static class BatchTensors
{
    public static (Tensor InputIds, Tensor Labels) Of(Batch batch, Device device)
    {
        long[] shape = [batch.Rows, batch.Columns];
        return (Tensor.FromSpan<long>(batch.InputIds, shape, device), Tensor.FromSpan<long>(batch.Labels, shape, device));
    }
}
