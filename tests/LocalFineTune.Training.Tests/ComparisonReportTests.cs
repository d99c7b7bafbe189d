using LocalFineTune.Training.Comparison;

namespace LocalFineTune.Training.Tests;

/// <summary>Which base a comparison calls best, and the held-out prompts every model answers.</summary>
public class ComparisonReportTests
{
    private static ComparedModel Row(string model, string status, double? after, long? parameters = null, long? bytes = null) =>
        new() { Model = model, Status = status, EvalLossAfter = after, Parameters = parameters, FolderBytes = bytes };

    [Fact]
    public void Best_IsTheLowestEvalLossAmongSucceeded_TiesGoToTheSmallerModelThenFolder()
    {
        var report = new ComparisonReport
        {
            Id = "c", Dataset = "d", Created = DateTime.UnixEpoch,
            Models =
            [
                Row("failed-but-lowest", "failed", 0.1), Row("big", "succeeded", 2.0, 1_000, 10), Row("small", "succeeded", 2.0, 100, 50),
                Row("small-lighter", "succeeded", 2.0, 100, 20), Row("worse", "succeeded", 2.5, 10, 1), Row("nan", "succeeded", double.NaN, 1, 1),
            ],
        };
        Assert.Equal("small-lighter", report.Best);
        Assert.Equal("completed", report.Status);
    }

    [Fact]
    public void Status_IsRunningWhileAnyJobIsNotFinal_AndBestIsNullWithoutASuccess()
    {
        var report = new ComparisonReport { Id = "c", Dataset = "d", Created = DateTime.UnixEpoch, Models = [Row("a", "running", null), Row("b", "failed", null)] };
        Assert.Equal("running", report.Status);
        Assert.Null(report.Best);
    }

    [Fact]
    public void HeldOutPrompts_CutEachKindWhereTheModelTakesOver()
    {
        var source = new LocalFineTune.Datasets.Model.SourceLocation("f", 1);
        var examples = new[]
        {
            LocalFineTune.Datasets.Model.TrainingExample.FromPromptCompletion("Frigo fait bruit fort", "Vérifiez le compresseur.", source),
            LocalFineTune.Datasets.Model.TrainingExample.FromMessages(
            [
                new(LocalFineTune.Datasets.Model.ChatRole.System, "Tu répares des frigos."),
                new(LocalFineTune.Datasets.Model.ChatRole.User, "Givre partout"),
                new(LocalFineTune.Datasets.Model.ChatRole.Assistant, "Dégivrez et vérifiez le joint."),
            ], source),
            LocalFineTune.Datasets.Model.TrainingExample.FromText("trop court", source),
            LocalFineTune.Datasets.Model.TrainingExample.FromText("one two three four five six seven eight nine ten", source),
        };

        var prompts = HeldOutSamples.Pick(examples, 10);

        Assert.Equal(["Frigo fait bruit fort", "Givre partout", "one two three four five six seven eight"], prompts.Select(p => p.Prompt));
        Assert.Equal(["Vérifiez le compresseur.", "Dégivrez et vérifiez le joint.", "nine ten"], prompts.Select(p => p.Expected));
        Assert.Single(HeldOutSamples.Pick(examples, 1));
    }
}
