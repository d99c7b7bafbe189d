using System.Text;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

/// <summary>Every file here is built byte by byte; each must be refused with a message that says what is wrong.</summary>
public sealed class MalformedFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string OneF32 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private string Write(string header, int dataBytes) => _dir.Write("x.safetensors", TestFiles.Build(header, new byte[dataBytes]));

    [Fact]
    public void Open_Succeeds_WhenHandBuiltFileIsValid()
    {
        using var file = SafeTensorsFile.Open(Write(OneF32, 8));
        Assert.Equal(8, file.GetBytes("a").Length);
    }

    [Theory]
    [InlineData(0)] [InlineData(5)] [InlineData(7)]
    public void Open_Throws_WhenFileShorterThanLengthPrefix(int length)
    {
        var error = TestFiles.OpenFails(_dir.Write("x.safetensors", new byte[length]));
        Assert.Contains($"only {length} bytes", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenHeaderTruncated()
    {
        byte[] full = TestFiles.Build(OneF32, new byte[8]);
        var error = TestFiles.OpenFails(_dir.Write("x.safetensors", full[..20]));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenHeaderLengthAbove100MB()
    {
        var bytes = TestFiles.BuildRaw(100_000_001, Encoding.UTF8.GetBytes(OneF32), new byte[8]);
        var error = TestFiles.OpenFails(_dir.Write("x.safetensors", bytes));
        Assert.Contains("100000001", error.Message);
        Assert.Contains("limit", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenHeaderLengthIsMaxUInt64()
    {
        var bytes = TestFiles.BuildRaw(ulong.MaxValue, Encoding.UTF8.GetBytes(OneF32), new byte[8]);
        Assert.Contains("limit", TestFiles.OpenFails(_dir.Write("x.safetensors", bytes)).Message);
    }

    [Fact]
    public void Open_Throws_WhenHeaderLengthExceedsFile()
    {
        var bytes = TestFiles.BuildRaw(1000, Encoding.UTF8.GetBytes(OneF32), new byte[8]);
        var error = TestFiles.OpenFails(_dir.Write("x.safetensors", bytes));
        Assert.Contains("says 1000 bytes but only", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenDataTruncated()
    {
        var error = TestFiles.OpenFails(Write(OneF32, 5));
        Assert.Contains("truncated", error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Theory]
    [InlineData("[1,2,3]", "an array")]
    [InlineData("\"text\"", "a string")]
    [InlineData("42      ", "a number")]
    [InlineData("null", "null")]
    public void Open_Throws_WhenHeaderIsNotAnObject(string header, string kind)
    {
        var error = TestFiles.OpenFails(Write(header, 0));
        Assert.Contains($"header is {kind} but must be an object", error.Message);
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("not json")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}} trailing")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}\0\0\0")]
    [InlineData("{/*c*/}")]
    public void Open_Throws_WhenHeaderIsNotValidJson(string header)
    {
        Assert.Contains("not valid UTF-8 JSON", TestFiles.OpenFails(Write(header, 0)).Message);
    }

    [Fact]
    public void Open_Throws_WhenHeaderIsEmpty()
    {
        Assert.Contains("header is empty", TestFiles.OpenFails(Write("        ", 0)).Message);
    }

    [Fact]
    public void Open_Throws_WhenHeaderHasInvalidUtf8()
    {
        byte[] header = [.. "{\""u8, 0xFF, 0xFE, .. "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"u8];
        var bytes = TestFiles.BuildRaw((ulong)header.Length, header, []);
        Assert.Contains("not valid UTF-8 JSON", TestFiles.OpenFails(_dir.Write("x.safetensors", bytes)).Message);
    }

    [Fact]
    public void Open_Throws_WhenOffsetsOverlap()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        var error = TestFiles.OpenFails(Write(header, 12));
        Assert.Contains("tensor 'b'", error.Message);
        Assert.Contains("overlaps", error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenTwoTensorsShareTheSameRange()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                              "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        Assert.Contains("overlaps", TestFiles.OpenFails(Write(header, 8)).Message);
    }

    [Fact]
    public void Open_Throws_WhenOffsetsLeaveHole()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        var error = TestFiles.OpenFails(Write(header, 20));
        Assert.Contains("4 bytes after the end of tensor 'a'", error.Message);
        Assert.Contains("hole", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenFirstTensorDoesNotStartAtZero()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        var error = TestFiles.OpenFails(Write(header, 16));
        Assert.Contains("after the start of the data section", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenTrailingBytesAreNotCovered()
    {
        var error = TestFiles.OpenFails(Write(OneF32, 12));
        Assert.Contains("4 trailing bytes", error.Message);
        Assert.Contains("incomplete coverage", error.Message);
    }

    [Theory]
    [InlineData("[3]", "[0,8]", "need 12 bytes but the offsets span 8")]
    [InlineData("[2,2]", "[0,8]", "need 16 bytes but the offsets span 8")]
    [InlineData("[]", "[0,8]", "need 4 bytes but the offsets span 8")]
    public void Open_Throws_WhenShapeDisagreesWithByteRange(string shape, string offsets, string expected)
    {
        string header = $"{{\"a\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}";
        var error = TestFiles.OpenFails(Write(header, 8));
        Assert.Contains("tensor 'a'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Open_Throws_WhenEndBeforeBegin()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}";
        Assert.Contains("end offset is before the begin", TestFiles.OpenFails(Write(header, 8)).Message);
    }

    [Fact]
    public void Open_Throws_WhenShapeProductOverflows()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}";
        Assert.Contains("overflows", TestFiles.OpenFails(Write(header, 8)).Message);
    }

    [Fact]
    public void Open_Throws_WhenTensorNameIsDuplicated()
    {
        // Same byte range twice: without duplicate detection a JSON DOM keeps one entry and the file looks valid.
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                              "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var error = TestFiles.OpenFails(Write(header, 8));
        Assert.Contains("tensor 'a' appears twice", error.Message);
    }

    [Fact]
    public void Open_Throws_WhenDTypeUnknown()
    {
        const string header = "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var error = TestFiles.OpenFails(Write(header, 8));
        Assert.Contains("tensor 'a': unknown dtype 'F33'", error.Message);
        Assert.Contains("BF16", error.Message);
    }

    [Theory]
    [InlineData("{\"__metadata__\":{\"format\":1}}", "metadata value of 'format' is a number")]
    [InlineData("{\"__metadata__\":{\"format\":{\"x\":\"y\"}}}", "metadata value of 'format' is an object")]
    [InlineData("{\"__metadata__\":[\"pt\"]}", "'__metadata__' is an array")]
    [InlineData("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", "metadata key 'k' appears twice")]
    public void Open_Throws_WhenMetadataIsInvalid(string header, string expected)
    {
        Assert.Contains(expected, TestFiles.OpenFails(Write(header, 0)).Message);
    }

    [Fact]
    public void Open_Throws_WhenDimensionNegative()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}";
        var error = TestFiles.OpenFails(Write(header, 8));
        Assert.Contains("tensor 'a': 'shape' holds the negative number -2", error.Message);
    }

    [Theory]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "no 'dtype'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "no 'shape'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "no 'data_offsets'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", "data_offsets has 3 numbers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "the number 2.5")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", "a string")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", "'dtype' is a number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'dtype' appears twice")]
    [InlineData("{\"a\":[0,8]}", "the entry is an array")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551615]}}", "only integers")]
    public void Open_Throws_WhenEntryIsMalformed(string header, string expected)
    {
        var error = TestFiles.OpenFails(Write(header, 8));
        Assert.Contains("tensor 'a'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Open_Accepts_EntriesListedOutOfOffsetOrderAndSpacePadding()
    {
        const string header = "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}," +
                              "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"extra\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[6,6],\"ignored\":true}}   ";
        byte[] data = [1, 2, 3, 4, 5, 6];
        using var file = SafeTensorsFile.Open(_dir.Write("x.safetensors", TestFiles.Build(header, data)));
        Assert.Equal(new byte[] { 5, 6 }, file.GetBytes("b").ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, file.GetBytes("a").ToArray());
        Assert.Equal(0, file.GetBytes("extra").Length);
    }
}
