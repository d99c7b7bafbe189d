using LocalFineTune.Models.Loading;
using LocalFineTune.Models.Tests.Support;

namespace LocalFineTune.Models.Tests;

public class ModelLocatorTests
{
    [Fact]
    public void Resolve_MapsBareNameToBaseFolder_AndLatestToNewestFinetuned()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Sub("base/gpt2"));
        foreach (var (name, age) in new[] { ("gpt2-finetuned-a", 3), ("gpt2-finetuned-b", 1), ("gpt2-finetuned-c", 2) })
        {
            Directory.CreateDirectory(temp.Sub(name));
            File.WriteAllText(temp.Sub(name + "/config.json"), "{}");
            File.SetLastWriteTimeUtc(temp.Sub(name + "/config.json"), DateTime.UtcNow.AddHours(-age));
        }

        Assert.Equal(Path.GetFullPath(temp.Sub("base/gpt2")), ModelLocator.Resolve("gpt2", temp.Path));
        Assert.Equal(Path.GetFullPath(temp.Sub("gpt2-finetuned-b")), ModelLocator.Resolve("latest", temp.Path));
        Assert.Equal(Path.GetFullPath(temp.Sub("base")), ModelLocator.Resolve(temp.Sub("base"), temp.Path));
    }

    [Fact]
    public void Resolve_SaysWhereItLooked_WhenNothingMatches()
    {
        using var temp = new TempFolder();

        Assert.Contains("base", Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Resolve("gpt9", temp.Path)).Message);
        Assert.Contains("finetuned", Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Resolve("latest", temp.Path)).Message);
    }
}
