using LocalFineTune.Server.Execution;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.Tests;

/// <summary>The estimate's arithmetic with given numbers: work from options and counts, the median, the FLOP formula.</summary>
public sealed class TrainingTimeEstimatorTests
{
    [Fact]
    public void Median_IsTheMiddleValue_OrTheMeanOfTheTwoMiddleOnes()
    {
        Assert.Equal(300, TrainingTimeEstimator.Median([900, 100, 300]));
        Assert.Equal(250, TrainingTimeEstimator.Median([400, 100, 200, 300]));
        Assert.Throws<ArgumentException>(() => TrainingTimeEstimator.Median([]));
    }

    [Fact]
    public void Work_ResolvesEpochsStepsAndTokensAsTheTrainerDoes()
    {
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4, GradientAccumulationSteps = 2, EvalSteps = 3 };

        var work = TrainingWork.For(options, trainingExamples: 21, validationExamples: 3, tokensPerEpoch: 1000, meanTokensPerExample: 80, maxSeqLength: 64);

        // ceil(21/4) = 6 micro-batches, 3 steps an epoch, 2 epochs; evals before, at step 3, and after.
        Assert.Equal(6, work.TotalSteps);
        Assert.Equal(2000, work.TrainingTokens);
        Assert.Equal(3 * 64, work.EvalTokens);
        Assert.Equal(3, work.EvalPasses);
    }

    [Fact]
    public void Work_UsesAutoEpochsAndTheAssumedBatch_WhenBothAreAuto()
    {
        var options = new TrainingOptions { Epochs = AutoInt.Auto, BatchSize = AutoInt.Auto };

        var work = TrainingWork.For(options, trainingExamples: 10, validationExamples: 0, tokensPerEpoch: 100, meanTokensPerExample: 10, maxSeqLength: null);

        Assert.Equal(10, work.Epochs); // 3 × 10 < 100 examples seen, so 10 epochs
        Assert.Equal(TrainingWork.AssumedAutoBatchSize, work.BatchSize);
        Assert.Equal(3 * 10, work.TotalSteps);
        Assert.Equal(2, work.EvalPasses);
    }

    [Fact]
    public void Flops_AreSixPerParameterPerTokenForFull_FourForLora_PlusTwoPerEvalToken()
    {
        var work = new TrainingWork(Epochs: 1, BatchSize: 4, TotalSteps: 10, TrainingTokens: 1000, EvalTokens: 100, EvalPasses: 2);

        Assert.Equal(6.0 * 1e6 * 1000 + 2.0 * 1e6 * 100 * 2, TrainingTimeEstimator.TrainingFlops(1_000_000, work, usesLora: false, dpo: false));
        Assert.Equal(4.0 * 1e6 * 1000 + 2.0 * 1e6 * 100 * 2, TrainingTimeEstimator.TrainingFlops(1_000_000, work, usesLora: true, dpo: false));
        Assert.Equal(8.0 * 1e6 * 1000 + 2.0 * 1e6 * 100 * 2, TrainingTimeEstimator.TrainingFlops(1_000_000, work, usesLora: false, dpo: true));
    }
}
