using LocalFineTune.Training.Loop;

namespace LocalFineTune.Cli.Commands.Compare;

/// <summary>Plain progress lines for one base of a comparison: about ten per run, each eval, so a log stays readable.</summary>
internal sealed class CompareProgress(string model) : ITrainingProgress
{
    private int _lastTenth = -1;

    public void OnStep(TrainingProgress p)
    {
        var tenth = (int)(p.Fraction * 10);
        if (tenth == _lastTenth) return;
        _lastTenth = tenth;
        Console.WriteLine($"  {model}: step {p.Step}/{p.TotalSteps}  loss {p.Loss:0.0000}  {p.TokensPerSecond:0} tok/s  eta {p.EstimatedRemaining:hh\\:mm\\:ss}");
    }

    public void OnEvaluation(EvaluationResult e) =>
        Console.WriteLine($"  {model}: eval at step {e.Step}: loss {e.Loss:0.0000} (perplexity {e.Perplexity:0.00}) on {e.Dataset}");

    public void OnMessage(string message) => Console.WriteLine($"  {model}: {message}");
}
