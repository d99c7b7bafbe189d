using System.Text;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

/// <summary>
/// Files whose every byte is written out here by hand from the spec, checked both ways:
/// our reader understands them and our writer produces exactly these bytes.
/// </summary>
public sealed class GoldenFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Input order a, b, c on purpose: the writer must reorder to F32 (rank 17) > BF16 (14) > I8 (5).
    // Header: 193 bytes of JSON (counted by hand below) + 7 spaces = 200 = 0xC8, a multiple of 8.
    private const string GoldenHeader =
        "{\"__metadata__\":{\"format\":\"pt\"}," +                               // 16 + 15 + 1 = 32
        "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +       // 4 + 15 + 12 + 20 + 1 + 1 = 53 -> 85
        "\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}," +     // 4 + 16 + 12 + 21 + 1 + 1 = 55 -> 140
        "\"c\":{\"dtype\":\"I8\",\"shape\":[],\"data_offsets\":[14,15]}}" +       // 4 + 14 + 11 + 22 + 2 = 53 -> 193
        "       ";                                                              // 7 spaces -> 200

    private static readonly byte[] GoldenData =
    [
        0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, // b: F32 1.0, -2.0
        0x80, 0x3F, 0x00, 0x40, 0x40, 0xC0,             // a: BF16 1.0 (0x3F80), 2.0 (0x4000), -3.0 (0xC040)
        0x07,                                           // c: I8 scalar 7
    ];

    private static byte[] GoldenFile() =>
        [0xC8, 0, 0, 0, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(GoldenHeader), .. GoldenData];

    private static TensorToWrite[] GoldenInput() =>
    [
        TensorToWrite.FromBytes("a", SafeTensorDType.BF16, [3], GoldenData[8..14]),
        TensorToWrite.FromBytes("b", SafeTensorDType.F32, [2], GoldenData[..8]),
        TensorToWrite.FromBytes("c", SafeTensorDType.I8, [], GoldenData[14..]),
    ];

    [Fact]
    public void GoldenHeader_Is200Bytes_AsCountedByHand()
    {
        Assert.Equal(200, GoldenHeader.Length);
        Assert.Equal(223, GoldenFile().Length);
    }

    [Fact]
    public void Open_ReadsGoldenFile_WithExactValues()
    {
        using var file = SafeTensorsFile.Open(_dir.Write("golden.safetensors", GoldenFile()));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(3, file.Tensors.Count);
        Assert.Equal(new[] { 1f, -2f }, SafeTensorDTypes.ToSingleArray(file.GetBytes("b"), SafeTensorDType.F32));
        Assert.Equal(new[] { 1f, 2f, -3f }, SafeTensorDTypes.ToSingleArray(file.GetBytes("a"), SafeTensorDType.BF16));
        var c = file.GetEntry("c");
        Assert.Equal(SafeTensorDType.I8, c.DType);
        Assert.Empty(c.Shape);
        Assert.Equal(1, c.ElementCount);
        Assert.Equal(7, file.GetBytes("c")[0]);
        Assert.Equal(new TensorEntry("a", SafeTensorDType.BF16, [3], 8, 6).ToString(), file.GetEntry("a").ToString());
    }

    [Fact]
    public void Write_ProducesGoldenBytes_WhenGivenGoldenTensors()
    {
        string path = _dir.File("ours.safetensors");
        SafeTensorsWriter.Write(path, GoldenInput(), SafeTensorsWriter.PyTorchMetadata);
        Assert.Equal(GoldenFile(), File.ReadAllBytes(path));
    }

    // The next vectors are the expected outputs published in huggingface/safetensors' own Rust tests
    // (safetensors/src/tensor.rs: test_serialization, test_empty), restated here as text + bytes.

    [Fact]
    public void Write_MatchesReferenceVector_ForSingleF32Tensor()
    {
        const string header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"; // 64 bytes, no padding
        byte[] data = TestFiles.Floats(0, 1, 2, 3, 4, 5);
        byte[] expected = [64, 0, 0, 0, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(header), .. data];
        string path = _dir.File("ref.safetensors");
        SafeTensorsWriter.Write(path, [TensorToWrite.FromBytes("attn.0", SafeTensorDType.F32, [1, 2, 3], data)]);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_MatchesReferenceVector_WhenNoTensors()
    {
        string path = _dir.File("empty.safetensors");
        SafeTensorsWriter.Write(path, []);
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32 }, File.ReadAllBytes(path));
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Write_MatchesReferenceVector_WhenOnlyMetadata()
    {
        const string header = "{\"__metadata__\":{\"framework\":\"pt\"}}     "; // 35 + 5 spaces = 40
        byte[] expected = [40, 0, 0, 0, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(header)];
        string path = _dir.File("meta.safetensors");
        SafeTensorsWriter.Write(path, [], new Dictionary<string, string> { ["framework"] = "pt" });
        Assert.Equal(expected, File.ReadAllBytes(path));
    }
}
