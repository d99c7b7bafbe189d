using LocalFineTune.Datasets.Model;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Preference;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>The DPO and IPO losses and their gradients against a float64 computation written out by hand.</summary>
public class DpoLossTests
{
    private const int Vocab = 7;
    private const int Ignore = TokenizedSequence.IgnoreIndex;

    // Two pairs with prompts of different lengths and answers of different lengths (so padding is exercised).
    private static readonly TokenizedPair[] Pairs =
    [
        Pair(0, prompt: [1, 2], chosen: [3, 4, 0], rejected: [5, 0]),
        Pair(1, prompt: [6, 2, 5], chosen: [1, 0], rejected: [4, 3, 6, 0]),
    ];

    private static TokenizedPair Pair(int index, int[] prompt, int[] chosen, int[] rejected) =>
        new(Sequence(prompt, chosen), Sequence(prompt, rejected), index, new SourceLocation("hand.jsonl", Line: index + 1));

    private static TokenizedSequence Sequence(int[] prompt, int[] answer) =>
        new([.. prompt, .. answer], [.. prompt.Select(_ => Ignore), .. answer]);

    [Theory]
    [InlineData(DpoLossType.Sigmoid, 0.1, 0.0)]
    [InlineData(DpoLossType.Sigmoid, 0.5, 0.2)]
    [InlineData(DpoLossType.Ipo, 0.3, 0.0)]
    public void LossAndGradient_MatchAFloat64ComputationByHand(DpoLossType lossType, double beta, double smoothing)
    {
        var options = new DpoOptions { Beta = beta, LossType = lossType, LabelSmoothing = smoothing };
        using var policy = new BigramModel(BigramModel.Random(Vocab, seed: 1));
        using var referenceModel = new BigramModel(BigramModel.Random(Vocab, seed: 2));
        using var reference = new FrozenModelReference(referenceModel, ownsModel: false, "test");

        double loss;
        using (DisposeScope.Enter())
        {
            var batch = PreferenceBatch.Collate(Pairs, padTokenId: 0);
            var terms = DpoObjective.Forward(policy, reference, batch, options);
            var mean = terms.Losses.Sum().Div(Pairs.Length);
            mean.Backward();
            loss = mean.ToDouble();
        }
        var (expectedLoss, expectedGrad) = ByHand(policy.Weights(), referenceModel.Weights(), options);

        Assert.Equal(expectedLoss, loss, 1e-5);
        var grad = policy.W.Grad!.ToArray<float>();
        for (var i = 0; i < Vocab; i++)
            for (var j = 0; j < Vocab; j++) Assert.Equal(expectedGrad[i, j], grad[i * Vocab + j], 1e-5);
        Assert.Contains(grad, g => Math.Abs(g) > 1e-3); // the gradient is not trivially zero
    }

    [Fact]
    public void Loss_IsLog2AndGradientNonZero_WhenThePolicyIsTheReference()
    {
        // Every run starts here: h = 0, loss = log 2, d loss / d h = -β/2 (a log-sigmoid with a wrong gradient at 0 fails this).
        var weights = BigramModel.Random(Vocab, seed: 3);
        using var policy = new BigramModel(weights);
        using var same = new BigramModel(weights);
        using var reference = new FrozenModelReference(same, ownsModel: false, "test");
        var options = new DpoOptions { Beta = 0.1 };
        using (DisposeScope.Enter())
        {
            var terms = DpoObjective.Forward(policy, reference, PreferenceBatch.Collate(Pairs, 0), options);
            var mean = terms.Losses.Sum().Div(Pairs.Length);
            mean.Backward();
            Assert.Equal(Math.Log(2), mean.ToDouble(), 6);
            Assert.All(terms.ChosenRewards.ToArray<float>(), r => Assert.Equal(0f, r));
        }
        var (_, expected) = ByHand(policy.Weights(), same.Weights(), options);
        var grad = policy.W.Grad!.ToArray<float>();
        Assert.Equal(expected[1, 2], grad[1 * Vocab + 2], 1e-6);
        Assert.True(grad.Max(Math.Abs) > 1e-3);
    }

    [Fact]
    public void LogSigmoid_IsStableAndHasTheRightGradient()
    {
        using var scope = DisposeScope.Enter();
        double[] xs = [-200, -20, -1, 0, 1, 20, 200];
        var x = Tensor.FromSpan<float>(xs.Select(v => (float)v).ToArray(), [xs.Length], Device.Cpu, requiresGrad: true);
        var y = DpoLoss.LogSigmoid(x);
        y.Sum().Backward();
        var values = y.ToArray<float>();
        var grads = x.Grad!.ToArray<float>();
        for (var i = 0; i < xs.Length; i++)
        {
            var expected = xs[i] >= 0 ? -Math.Log(1 + Math.Exp(-xs[i])) : xs[i] - Math.Log(1 + Math.Exp(xs[i]));
            Assert.Equal(expected, values[i], 1e-4);
            Assert.Equal(1 / (1 + Math.Exp(xs[i])), grads[i], 1e-6); // d/dx log σ(x) = σ(-x)
        }
    }

    /// <summary>Loss (mean over pairs) and dLoss/dW of the policy, in float64, from the formulas.</summary>
    private static (double Loss, double[,] Grad) ByHand(double[,] w, double[,] reference, DpoOptions o)
    {
        var grad = new double[Vocab, Vocab];
        double total = 0;
        foreach (var pair in Pairs)
        {
            var (pc, nc) = LogProb(w, pair.Chosen);
            var (pr, nr) = LogProb(w, pair.Rejected);
            var (rc, _) = LogProb(reference, pair.Chosen);
            var (rr, _) = LogProb(reference, pair.Rejected);
            // IPO averages log-probs per answer token; DPO sums them.
            double sc = o.LossType == DpoLossType.Ipo ? 1.0 / nc : 1, sr = o.LossType == DpoLossType.Ipo ? 1.0 / nr : 1;
            var h = (pc * sc - pr * sr) - (rc * sc - rr * sr);
            double loss, dLossDh;
            if (o.LossType == DpoLossType.Ipo)
            {
                loss = Math.Pow(h - 1 / (2 * o.Beta), 2);
                dLossDh = 2 * (h - 1 / (2 * o.Beta));
            }
            else
            {
                var e = o.LabelSmoothing;
                loss = -(1 - e) * LogSigmoid(o.Beta * h) - e * LogSigmoid(-o.Beta * h);
                dLossDh = -(1 - e) * o.Beta * Sigmoid(-o.Beta * h) + e * o.Beta * Sigmoid(o.Beta * h);
            }
            total += loss;
            AddLogProbGradient(w, pair.Chosen, dLossDh * sc / Pairs.Length, grad);
            AddLogProbGradient(w, pair.Rejected, -dLossDh * sr / Pairs.Length, grad);
        }
        return (total / Pairs.Length, grad);
    }

    /// <summary>Σ over scored positions t of log softmax(W[id[t-1]])[label[t]], and how many positions.</summary>
    private static (double LogProb, int Count) LogProb(double[,] w, TokenizedSequence s)
    {
        double sum = 0;
        var count = 0;
        for (var t = 1; t < s.Length; t++)
        {
            if (s.Labels[t] == Ignore) continue;
            var row = Row(w, s.InputIds[t - 1]);
            sum += row[s.Labels[t]] - LogSumExp(row);
            count++;
        }
        return (sum, count);
    }

    /// <summary>d log softmax(z)[y] / dz = onehot(y) − softmax(z), scaled, into the row of the predicting token.</summary>
    private static void AddLogProbGradient(double[,] w, TokenizedSequence s, double scale, double[,] grad)
    {
        for (var t = 1; t < s.Length; t++)
        {
            if (s.Labels[t] == Ignore) continue;
            var from = s.InputIds[t - 1];
            var row = Row(w, from);
            var lse = LogSumExp(row);
            for (var j = 0; j < Vocab; j++)
                grad[from, j] += scale * ((j == s.Labels[t] ? 1 : 0) - Math.Exp(row[j] - lse));
        }
    }

    private static double[] Row(double[,] w, int i) => Enumerable.Range(0, Vocab).Select(j => w[i, j]).ToArray();
    private static double LogSumExp(double[] z) { var m = z.Max(); return m + Math.Log(z.Sum(v => Math.Exp(v - m))); }
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));
}
