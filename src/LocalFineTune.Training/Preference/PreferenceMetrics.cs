using LocalFineTune.Torch;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// Sums over pairs of what TRL's DPOTrainer logs, averaged at the end: rewards/chosen, rewards/rejected,
/// rewards/margins, rewards/accuracies (chosen reward strictly above rejected: 0 at step 0, where every reward is 0),
/// logps/chosen, logps/rejected, and preference_accuracy: how often the policy itself ranks the chosen answer above
/// the rejected one (log π(c) &gt; log π(r)), which is meaningful before training too.
/// </summary>
public sealed class PreferenceMetrics
{
    public const string RewardsChosen = "rewards/chosen";
    public const string RewardsRejected = "rewards/rejected";
    public const string RewardsMargins = "rewards/margins";
    public const string RewardsAccuracies = "rewards/accuracies";
    public const string LogpsChosen = "logps/chosen";
    public const string LogpsRejected = "logps/rejected";
    public const string PreferenceAccuracy = "preference_accuracy";

    private double _chosen, _rejected, _rewardWins, _logpChosen, _logpRejected, _policyWins, _loss;

    public int Pairs { get; private set; }

    /// <summary>Mean loss per pair over everything added.</summary>
    public double MeanLoss => Pairs == 0 ? double.NaN : _loss / Pairs;

    /// <summary>Reads one batch's terms back to the host (a handful of floats).</summary>
    public void Add(DpoTerms terms)
    {
        var losses = terms.Losses.Detach().To(ScalarType.Float64).ToArray<double>();
        var chosen = terms.ChosenRewards.To(ScalarType.Float64).ToArray<double>();
        var rejected = terms.RejectedRewards.To(ScalarType.Float64).ToArray<double>();
        var logpChosen = terms.PolicyChosen.To(ScalarType.Float64).ToArray<double>();
        var logpRejected = terms.PolicyRejected.To(ScalarType.Float64).ToArray<double>();
        for (var i = 0; i < chosen.Length; i++)
        {
            _loss += losses[i];
            _chosen += chosen[i];
            _rejected += rejected[i];
            _rewardWins += chosen[i] > rejected[i] ? 1 : 0;
            _logpChosen += logpChosen[i];
            _logpRejected += logpRejected[i];
            _policyWins += logpChosen[i] > logpRejected[i] ? 1 : 0;
        }
        Pairs += chosen.Length;
    }

    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        double Mean(double sum) => Pairs == 0 ? double.NaN : sum / Pairs;
        return new Dictionary<string, double>
        {
            [RewardsChosen] = Mean(_chosen),
            [RewardsRejected] = Mean(_rejected),
            [RewardsMargins] = Mean(_chosen - _rejected),
            [RewardsAccuracies] = Mean(_rewardWins),
            [LogpsChosen] = Mean(_logpChosen),
            [LogpsRejected] = Mean(_logpRejected),
            [PreferenceAccuracy] = Mean(_policyWins),
        };
    }
}
