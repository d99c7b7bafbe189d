using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<SafeTensorDType> AllDTypes() => new(SafeTensorDTypes.All);

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void WriteThenOpen_PreservesBytesShapeAndDType_ForEveryDType(SafeTensorDType dtype)
    {
        var tensor = TestFiles.Tensor("w", dtype, [3, 5], seed: (int)dtype);
        byte[] expected = TestFiles.RandomBytes(15 * dtype.ElementSize(), (int)dtype);
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [tensor]);

        using var file = SafeTensorsFile.Open(path);
        var entry = file.GetEntry("w");
        Assert.Equal(dtype, entry.DType);
        Assert.Equal(new long[] { 3, 5 }, entry.Shape);
        Assert.Equal(expected.Length, entry.ByteLength);
        Assert.Equal(expected, file.GetBytes("w").ToArray());
    }

    [Fact]
    public void WriteThenOpen_PreservesEveryTensor_WhenAllDTypesShareOneFile()
    {
        var tensors = SafeTensorDTypes.All.Select((d, i) => TestFiles.Tensor($"t{i}.{d}", d, [i % 3 + 1, 7], seed: i)).ToList();
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, tensors, SafeTensorsWriter.PyTorchMetadata);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(tensors.Count, file.Tensors.Count);
        foreach (var t in tensors)
        {
            var expected = new MemoryStream();
            t.WriteData(expected);
            Assert.Equal(expected.ToArray(), file.GetBytes(t.Name).ToArray());
            Assert.Equal(t.Shape, file.GetEntry(t.Name).Shape);
        }
    }

    [Fact]
    public unsafe void WriteThenOpen_AlignsEveryTensorToItsElementSize()
    {
        // Odd-sized tensors of every width: alignment holds only because of the ordering and header padding.
        var tensors = SafeTensorDTypes.All.Select((d, i) => TestFiles.Tensor($"n{i}", d, [3], seed: i)).ToList();
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, tensors);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(0, file.HeaderLength % 8);
        foreach (var entry in file.Tensors.Values)
            Assert.Equal(0, (long)file.GetPointer(entry.Name) % entry.DType.ElementSize());
    }

    [Fact]
    public void Write_OrdersTensors_ByDescendingAlignmentThenName()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path,
        [
            TestFiles.Tensor("z.bias", SafeTensorDType.F16, [1]),
            TestFiles.Tensor("a.mask", SafeTensorDType.BOOL, [1]),
            TestFiles.Tensor("b.weight", SafeTensorDType.F32, [1]),
            TestFiles.Tensor("a.weight", SafeTensorDType.F32, [1]),
            TestFiles.Tensor("m.count", SafeTensorDType.I64, [1]),
            TestFiles.Tensor("m.half", SafeTensorDType.BF16, [1]),
        ]);
        using var file = SafeTensorsFile.Open(path);
        var byOffset = file.Tensors.Values.OrderBy(e => e.DataOffset).Select(e => e.Name);
        Assert.Equal(["m.count", "a.weight", "b.weight", "m.half", "z.bias", "a.mask"], byOffset);
    }

    [Fact]
    public void InFileOrder_SortsNamesByUtf8Bytes_WhenNamesMixBmpAndAstralCharacters()
    {
        // U+FF21 (UTF-8 EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8/Rust order,
        // but after it in UTF-16 ordinal order (FF21 > D83D).
        var ordered = SafeTensorsWriter.InFileOrder(
        [
            TestFiles.Tensor("\U0001F600", SafeTensorDType.U8, [1]),
            TestFiles.Tensor("\uFF21", SafeTensorDType.U8, [1]),
            TestFiles.Tensor("B", SafeTensorDType.U8, [1]),
        ]);
        Assert.Equal(["B", "\uFF21", "\U0001F600"], ordered.Select(t => t.Name));
    }

    [Fact]
    public void WriteThenOpen_PreservesNamesAndMetadata_WhenTheyNeedJsonEscaping()
    {
        string odd = "q\"uote\\slash\n\t\u0001é漢\U0001F600";
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = odd, [odd] = "" };
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor(odd, SafeTensorDType.F32, [2])], metadata);

        using var file = SafeTensorsFile.Open(path);
        Assert.True(file.Contains(odd));
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void WriteThenOpen_HandlesScalarsAndZeroSizedTensors()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path,
        [
            TestFiles.Tensor("scalar", SafeTensorDType.F64, []),
            TestFiles.Tensor("empty", SafeTensorDType.F32, [0, 4]),
            TestFiles.Tensor("x", SafeTensorDType.F32, [2]),
        ]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(8, file.GetBytes("scalar").Length);
        Assert.Equal(0, file.GetBytes("empty").Length);
        Assert.Equal(new long[] { 0, 4 }, file.GetEntry("empty").Shape);
    }

    [Fact]
    public void Open_HasEmptyMetadata_WhenNoneWritten()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor("x", SafeTensorDType.F32, [2])]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public unsafe void GetPointer_PointsAtSameBytesAsGetBytes()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor("a", SafeTensorDType.F32, [4]), TestFiles.Tensor("b", SafeTensorDType.I16, [3], seed: 2)]);
        using var file = SafeTensorsFile.Open(path);
        foreach (var name in new[] { "a", "b" })
        {
            var viaPointer = new ReadOnlySpan<byte>(file.GetPointer(name), (int)file.GetEntry(name).ByteLength);
            Assert.True(viaPointer.SequenceEqual(file.GetBytes(name)));
        }
    }

    [Fact]
    public void GetBytes_Throws_AfterDispose()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor("a", SafeTensorDType.F32, [4])]);
        var file = SafeTensorsFile.Open(path);
        file.Dispose();
        file.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => file.GetBytes("a").Length);
    }

    [Fact]
    public void GetBytes_Throws_WhenNameUnknown()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor("a", SafeTensorDType.F32, [4])]);
        using var file = SafeTensorsFile.Open(path);
        var error = Assert.Throws<KeyNotFoundException>(() => file.GetBytes("nope").Length);
        Assert.Contains("'nope'", error.Message);
        Assert.Contains(path, error.Message);
    }
}
