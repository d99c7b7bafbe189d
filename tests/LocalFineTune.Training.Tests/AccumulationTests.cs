using LocalFineTune.Models.Gpt2;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;

namespace LocalFineTune.Training.Tests;

public class AccumulationTests
{
    [Fact]
    public void AccumulatedMicroBatches_GiveTheFullBatchGradient_WhenTargetCountsDiffer()
    {
        using var scope = DisposeScope.Enter();
        using var model = Gpt2Model.CreateRandom(TinyModels.Config(), 3, Device.Cpu);
        // Unequal target counts per micro-batch: averaging micro-batch means would be wrong here.
        var short1 = new TokenizedSequence([10, 11, 12], [-100, 11, 12]);
        var long1 = new TokenizedSequence([20, 21, 22, 23, 24, 25, 26], [20, 21, 22, 23, 24, 25, 26]);
        var long2 = new TokenizedSequence([30, 31, 32, 33, 34], [-100, -100, 32, 33, 34]);
        const int pad = 50256;

        var full = Batch.Collate([short1, long1, long2], pad);
        var fullLoss = OptimizerStep.AccumulateGradients(model, [full], full.TargetCount, CancellationToken.None);
        var fullGrads = TakeGrads(model);

        var micro = new[] { Batch.Collate([short1], pad), Batch.Collate([long1, long2], pad) };
        var accLoss = OptimizerStep.AccumulateGradients(model, micro, micro.Sum(b => b.TargetCount), CancellationToken.None);
        var accGrads = TakeGrads(model);

        Assert.Equal(fullLoss, accLoss, 5);
        for (var i = 0; i < fullGrads.Count; i++)
            Assert.True(fullGrads[i].AllClose(accGrads[i], rtol: 1e-4, atol: 1e-6), $"gradient {i} differs");
    }

    private static List<Tensor> TakeGrads(Gpt2Model model)
    {
        var grads = model.NamedParameters.Select(p => p.Parameter.Grad!.Clone()).ToList();
        foreach (var (_, p) in model.NamedParameters) p.ClearGrad();
        return grads;
    }
}
