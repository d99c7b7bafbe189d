using LocalFineTune.Torch;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// Per-pair losses and the implicit rewards of one batch. <see cref="Losses"/> carries the graph; the rewards are
/// detached (they are reported, not trained on).
/// </summary>
public sealed record DpoTerms(Tensor Losses, Tensor ChosenRewards, Tensor RejectedRewards, Tensor PolicyChosen, Tensor PolicyRejected);

/// <summary>
/// The preference losses. With h = (log π(c) − log π(r)) − (log π_ref(c) − log π_ref(r)):
/// sigmoid (DPO): −(1−ε)·log σ(β·h) − ε·log σ(−β·h), ε the label smoothing (conservative DPO);
/// IPO: (h − 1/(2β))², on per-token mean log-probs as TRL computes it, so long answers do not dominate the square.
/// Implicit rewards are β·(log π − log π_ref), per answer.
/// </summary>
public static class DpoLoss
{
    /// <summary>All arguments are [pairs]; the policy ones may carry a graph, the reference ones never do.</summary>
    public static DpoTerms Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, DpoOptions options)
    {
        var beta = options.Beta;
        var h = (policyChosen - policyRejected) - (referenceChosen - referenceRejected);
        var losses = options.LossType switch
        {
            DpoLossType.Ipo => (h - 1.0 / (2 * beta)).Pow(2),
            _ => -(1 - options.LabelSmoothing) * LogSigmoid(h * beta) - options.LabelSmoothing * LogSigmoid(h * -beta),
        };
        var chosenRewards = (policyChosen.Detach() - referenceChosen) * beta;
        var rejectedRewards = (policyRejected.Detach() - referenceRejected) * beta;
        return new DpoTerms(losses, chosenRewards, rejectedRewards, policyChosen.Detach(), policyRejected.Detach());
    }

    /// <summary>
    /// log σ(x) without overflow and with the right gradient everywhere: −log(1+e^(−x)) for x ≥ 0, x − log(1+e^x)
    /// below. Each branch sees its input clamped to its own side, so the branch not taken never makes an inf whose
    /// zero gradient would turn into NaN. (min(x,0) − log(1+e^(−|x|)) from Clamp and Abs would be wrong at x = 0, where
    /// every DPO run starts: their gradients there are 1 and 0, giving 1 instead of σ(0) = ½.)
    /// </summary>
    public static Tensor LogSigmoid(Tensor x)
    {
        var positive = x.Clamp(min: 0);
        var negative = x.Clamp(max: 0);
        var whenPositive = -(positive.Neg().Exp() + 1).Log();
        var whenNegative = negative - (negative.Exp() + 1).Log();
        return Tensor.Where(x.Ge(0.0), whenPositive, whenNegative);
    }
}
