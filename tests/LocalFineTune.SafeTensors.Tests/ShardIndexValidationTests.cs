using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

/// <summary>Shard sets whose index and shards disagree must be refused before anything is loaded.</summary>
public sealed class ShardIndexValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Shard(string file, params string[] tensorNames) =>
        SafeTensorsWriter.Write(_dir.File(file), tensorNames.Select(n => TestFiles.Tensor(n, SafeTensorDType.F32, [2])).ToList());

    private void Index(string weightMapJson) =>
        File.WriteAllText(_dir.File("model.safetensors.index.json"), $"{{\"metadata\":{{\"total_size\":16}},\"weight_map\":{weightMapJson}}}");

    private SafeTensorsFormatException OpenFails()
    {
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.OpenFolder(_dir.Path).Dispose());
        return error;
    }

    [Fact]
    public void OpenFolder_Succeeds_WhenIndexMatchesShards()
    {
        Shard("s1.safetensors", "a");
        Shard("s2.safetensors", "b");
        Index("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        using var checkpoint = SafeTensorsCheckpoint.OpenFolder(_dir.Path);
        Assert.Equal(2, checkpoint.Names.Count);
        Assert.Equal(16, checkpoint.DeclaredTotalSize);
    }

    [Fact]
    public void OpenFolder_Throws_WhenShardMissing()
    {
        Shard("s1.safetensors", "a");
        Index("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        var error = OpenFails();
        Assert.Contains("shard 's2.safetensors'", error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void OpenFolder_Throws_WhenTensorStoredInTwoShards()
    {
        Shard("s1.safetensors", "a", "b");
        Shard("s2.safetensors", "b");
        Index("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        var error = OpenFails();
        Assert.Contains("tensor 'b' is stored in two shards, 's1.safetensors' and 's2.safetensors'", error.Message);
    }

    [Fact]
    public void OpenFolder_Throws_WhenIndexNamesWrongShard()
    {
        Shard("s1.safetensors", "a");
        Shard("s2.safetensors", "b");
        Index("{\"a\":\"s2.safetensors\",\"b\":\"s1.safetensors\"}");
        Assert.Contains("weight_map puts tensor 'a' in 's2.safetensors', but it is stored in 's1.safetensors'", OpenFails().Message);
    }

    [Fact]
    public void OpenFolder_Throws_WhenMappedTensorIsInNoShard()
    {
        Shard("s1.safetensors", "a");
        Index("{\"a\":\"s1.safetensors\",\"ghost\":\"s1.safetensors\"}");
        Assert.Contains("tensor 'ghost' in 's1.safetensors', but no shard holds it", OpenFails().Message);
    }

    [Fact]
    public void OpenFolder_Throws_WhenShardHoldsUnlistedTensor()
    {
        Shard("s1.safetensors", "a", "extra");
        Index("{\"a\":\"s1.safetensors\"}");
        Assert.Contains("holds tensor 'extra', which weight_map does not list", OpenFails().Message);
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/s1.safetensors")]
    [InlineData("..")]
    public void OpenFolder_Throws_WhenShardNameIsAPath(string shard)
    {
        Index($"{{\"a\":\"{shard}\"}}");
        Assert.Contains("not a plain file name", OpenFails().Message);
    }

    [Theory]
    [InlineData("{\"metadata\":{}}", "no 'weight_map'")]
    [InlineData("[]", "is a JSON Array")]
    [InlineData("{\"weight_map\":", "not valid JSON")]
    [InlineData("{\"weight_map\":{}}", "weight_map is empty")]
    [InlineData("{\"weight_map\":{\"a\":1}}", "weight_map['a'] is a JSON Number")]
    [InlineData("{\"weight_map\":{\"a\":\"s1.safetensors\",\"a\":\"s2.safetensors\"}}", "not valid JSON")]
    public void OpenFolder_Throws_WhenIndexIsMalformed(string json, string expected)
    {
        Shard("s1.safetensors", "a");
        File.WriteAllText(_dir.File("model.safetensors.index.json"), json);
        var error = OpenFails();
        Assert.Contains(expected, error.Message);
        Assert.EndsWith("model.safetensors.index.json", error.FilePath);
    }

    [Fact]
    public void OpenFolder_Throws_WhenAShardIsMalformed()
    {
        Shard("s1.safetensors", "a");
        File.WriteAllBytes(_dir.File("s2.safetensors"), TestFiles.Build("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]));
        Index("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        var error = OpenFails();
        Assert.EndsWith("s2.safetensors", error.FilePath);
        Assert.Contains("truncated", error.Message);
    }
}
