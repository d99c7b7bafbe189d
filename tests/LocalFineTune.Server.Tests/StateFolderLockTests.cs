using LocalFineTune.Server.Hosting;

namespace LocalFineTune.Server.Tests;

public sealed class StateFolderLockTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lft-lock-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Acquire_ThrowsWithHowToFix_WhenAnotherHolderHasTheFolder()
    {
        using var first = StateFolderLock.Acquire(_folder);

        var second = Assert.Throws<InvalidOperationException>(() => StateFolderLock.Acquire(_folder));

        Assert.Contains("Another lft process already uses the state folder", second.Message);
        Assert.Contains("--state", second.Message);
    }

    [Fact]
    public void Acquire_Succeeds_WhenThePreviousHolderReleasedIt()
    {
        StateFolderLock.Acquire(_folder).Dispose();

        using var again = StateFolderLock.Acquire(_folder);

        Assert.True(File.Exists(Path.Combine(_folder, StateFolderLock.FileName)));
    }
}
