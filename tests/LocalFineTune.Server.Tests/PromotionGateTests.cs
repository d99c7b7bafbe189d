using System.Text.Json;
using LocalFineTune.Jobs;
using LocalFineTune.Jobs.Sqlite;
using LocalFineTune.Server.Catalog;
using LocalFineTune.Server.Execution;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests;

/// <summary>The "if_better" gate on stored pointers and folders, with the losses given: which loss it compares against, and when it refuses.</summary>
public sealed class PromotionGateTests : IDisposable
{
    private const string December = "tiny-finetuned-20251201_030000";
    private const string January = "tiny-finetuned-20260101_030000";
    private readonly TestFolders _folders = new();
    private readonly SqliteJobStore _store;
    private readonly ModelCatalog _catalog;
    private readonly HoldoutComparison _comparison;
    private readonly string _holdout;

    public PromotionGateTests()
    {
        _store = new SqliteJobStore(Path.Combine(_folders.StateFolder, "jobs.db"));
        _catalog = new ModelCatalog(_folders.ModelsRoot, _store);
        _comparison = new HoldoutComparison(_catalog, _store);
        _holdout = _folders.WriteCsv("holdout.csv", 12);
        Publish(January);
    }

    [Fact]
    public void Judge_Promotes_WhenTheBaseHasNoOtherFineTune()
    {
        var decision = _comparison.Judge(Spec(BasePath, _holdout), January, 3.0, 2.9);

        Assert.True(decision.Promoted);
        Assert.Contains("first fine-tune of base 'tiny'", decision.Reason);
    }

    [Theory]
    [InlineData(1.5, true, "beats")]
    [InlineData(2.0, false, "does not beat")] // a tie keeps last month's model
    [InlineData(2.5, false, "does not beat")]
    public void Judge_ComparesWithTheBeforeLoss_WhenTheJobTrainedFromTheCurrentLatest(double newLoss, bool promoted, string reason)
    {
        Publish(December);
        _store.SetLatest("tiny", December, null, "by hand");

        var decision = _comparison.Judge(Spec(FolderPath(December), _holdout), January, 2.0, newLoss);

        Assert.Equal(promoted, decision.Promoted);
        Assert.Contains(reason, decision.Reason);
        Assert.Contains(December, decision.Reason);
    }

    [Fact]
    public void Judge_UsesThePromotingJobsLoss_WhenItUsedTheSameHoldout()
    {
        Publish(December);
        _store.SetLatest("tiny", December, PromotingJob(_holdout, evalLossAfter: 2.0), "promoted");

        Assert.True(_comparison.Judge(Spec(BasePath, _holdout), January, 3.0, 1.9).Promoted);
        Assert.False(_comparison.Judge(Spec(BasePath, _holdout), January, 3.0, 2.1).Promoted);
    }

    [Fact]
    public void Judge_RefusesWithTheFix_WhenNoComparableLossIsKnown()
    {
        Publish(December);
        _store.SetLatest("tiny", December, PromotingJob(_folders.WriteCsv("other.csv", 12), evalLossAfter: 2.0), "promoted");

        var decision = _comparison.Judge(Spec(BasePath, _holdout), January, 3.0, 0.1);

        Assert.False(decision.Promoted);
        Assert.Contains("continue_from \"latest\"", decision.Reason);
    }

    [Fact]
    public void Judge_Refuses_WhenTheJobHadNoHoldout()
    {
        Assert.False(_comparison.Judge(Spec(BasePath, holdout: null), January, 3.0, 0.1).Promoted);
    }

    private string BasePath => Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase);

    private string FolderPath(string name) => Path.Combine(_folders.ModelsRoot, name);

    private void Publish(string name) => TestFolders.CopyDirectory(BasePath, FolderPath(name));

    private string PromotingJob(string holdout, double evalLossAfter)
    {
        var job = _store.Create(new NewJob { SpecJson = Spec(BasePath, holdout).ToJson(), Device = "cpu", Source = "schedule", InitialState = JobState.Queued, MaxAttempts = 1 });
        Assert.NotNull(_store.TryClaim(job.Id, "w"));
        _store.Transition(new JobTransition(job.Id, JobState.Running, JobState.Succeeded, "done")
        {
            ExpectedOwner = "w", ResultJson = JsonSerializer.Serialize(new { eval_loss_after = evalLossAfter }),
        });
        return job.Id;
    }

    private static TrainingJobSpec Spec(string modelPath, string? holdout) => new()
    {
        Model = "tiny", ModelPath = modelPath, BaseModelName = "tiny", DatasetUrl = "train.csv", ValidationDatasetPath = holdout,
        Promote = PromotePolicy.IfBetter, Options = JsonDocument.Parse("{}").RootElement,
    };

    public void Dispose()
    {
        _store.Dispose();
        _folders.Dispose();
    }
}
