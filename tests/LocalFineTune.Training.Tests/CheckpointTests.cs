using LocalFineTune.Training.Checkpoints;

namespace LocalFineTune.Training.Tests;

public class CheckpointTests
{
    private static string WriteFake(string dir, int step) => TrainingCheckpoints.Write(dir, step, temp =>
        File.WriteAllText(Path.Combine(temp, TrainerState.FileName), new TrainerState { GlobalStep = step }.ToJson()));

    [Fact]
    public void FindLatestComplete_IgnoresFoldersWithoutTheMarker()
    {
        using var temp = new TempFolder();
        WriteFake(temp.Path, 10);
        // A crash mid-write: the folder exists under the final name but was never finished.
        var broken = Directory.CreateDirectory(Path.Combine(temp.Path, "checkpoint-20")).FullName;
        File.WriteAllText(Path.Combine(broken, TrainerState.FileName), "{");
        Directory.CreateDirectory(Path.Combine(temp.Path, ".checkpoint-30.tmp"));
        Assert.EndsWith("checkpoint-10", TrainingCheckpoints.FindLatestComplete(temp.Path));
        Assert.Null(TrainingCheckpoints.FindLatestComplete(Path.Combine(temp.Path, "nothing")));
    }

    [Fact]
    public void Write_LeavesNoTempFolder_AndAFailedWriteLeavesNoCheckpoint()
    {
        using var temp = new TempFolder();
        WriteFake(temp.Path, 5);
        Assert.Throws<IOException>(() => TrainingCheckpoints.Write(temp.Path, 6, _ => throw new IOException("disk full")));
        Assert.Equal(["checkpoint-5"], TrainingCheckpoints.ListComplete(temp.Path).Select(c => Path.GetFileName(c.Path)));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "checkpoint-6")));
    }

    [Fact]
    public void Prune_KeepsTheNewest_WhenOverTheLimit()
    {
        using var temp = new TempFolder();
        foreach (var step in new[] { 2, 4, 6, 8 }) WriteFake(temp.Path, step);
        TrainingCheckpoints.Prune(temp.Path, keep: 2);
        Assert.Equal([6, 8], TrainingCheckpoints.ListComplete(temp.Path).Select(c => c.Step));
    }
}
