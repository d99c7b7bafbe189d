namespace LocalFineTune.Hub.Tests;

public sealed class BaseModelCatalogTests
{
    [Theory]
    [InlineData("phi", "microsoft/phi-1_5", "phi")]
    [InlineData("phi2", "microsoft/phi-2", "phi2")]
    [InlineData("mistral", "mistralai/Mistral-7B-v0.1", "mistral")]
    [InlineData("neural", "Intel/neural-chat-7b-v3-1", "neural")]
    [InlineData("Qwen/Qwen2.5-0.5B", "Qwen/Qwen2.5-0.5B", "qwen2.5-0.5b")]
    public void Target_MapsSeedNamesAndRepositories_ToAFolderName(string input, string repository, string folder) =>
        Assert.Equal((repository, folder), BaseModelCatalog.Target(input));

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b/c")]
    [InlineData("org/..")]
    [InlineData("unknown-name")]
    public void Target_Refuses_WhenTheNameIsNeitherACatalogNameNorOrgRepo(string input) =>
        Assert.Throws<HubException>(() => BaseModelCatalog.Target(input));
}
