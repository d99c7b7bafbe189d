using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

public sealed class WriterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] FilesInDir() => Directory.GetFiles(_dir.Path).Select(Path.GetFileName).OfType<string>().ToArray();

    [Fact]
    public void Write_StreamsEachTensorThroughItsCallback_InFileOrder()
    {
        var calls = new List<string>();
        TensorToWrite Streamed(string name, SafeTensorDType dtype) => new(name, dtype, [2], stream =>
        {
            calls.Add(name);
            for (int i = 0; i < 2 * dtype.ElementSize(); i++) stream.WriteByte((byte)i);
        });
        SafeTensorsWriter.Write(_dir.File("m.safetensors"), [Streamed("small", SafeTensorDType.U8), Streamed("big", SafeTensorDType.F64)]);
        Assert.Equal(["big", "small"], calls);
        using var file = SafeTensorsFile.Open(_dir.File("m.safetensors"));
        Assert.Equal(new byte[] { 0, 1 }, file.GetBytes("small").ToArray());
    }

    [Fact]
    public void Write_LeavesNoFileAndNoTemp_WhenCallbackThrows()
    {
        var failing = new TensorToWrite("x", SafeTensorDType.F32, [4], _ => throw new IOException("disk on fire"));
        Assert.Throws<IOException>(() => SafeTensorsWriter.Write(_dir.File("m.safetensors"), [failing]));
        Assert.Empty(FilesInDir());
    }

    [Fact]
    public void Write_KeepsPreviousFile_WhenReplacementFails()
    {
        string path = _dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor("old", SafeTensorDType.F32, [2])]);
        byte[] before = File.ReadAllBytes(path);
        var failing = new TensorToWrite("new", SafeTensorDType.F32, [4], s => { s.Write(new byte[8]); throw new IOException("crash"); });

        Assert.Throws<IOException>(() => SafeTensorsWriter.Write(path, [failing]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["m.safetensors"], FilesInDir());
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    public void Write_Throws_WhenCallbackWritesWrongByteCount(int written)
    {
        var wrong = new TensorToWrite("x", SafeTensorDType.F32, [4], s => s.Write(new byte[written]));
        var error = Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(_dir.File("m.safetensors"), [wrong]));
        Assert.Contains($"wrote {written} bytes", error.Message);
        Assert.Contains("needs 16", error.Message);
        Assert.Empty(FilesInDir());
    }

    [Fact]
    public void Write_Throws_WhenCallbackTriesToSeek()
    {
        var seeking = new TensorToWrite("x", SafeTensorDType.U8, [1], s => s.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => SafeTensorsWriter.Write(_dir.File("m.safetensors"), [seeking]));
        Assert.Empty(FilesInDir());
    }

    [Fact]
    public void Write_Throws_WhenNamesRepeat()
    {
        var error = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_dir.File("m.safetensors"),
            [TestFiles.Tensor("w", SafeTensorDType.F32, [1]), TestFiles.Tensor("w", SafeTensorDType.F16, [1])]));
        Assert.Contains("'w' is given twice", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    [InlineData(null)] // stands for a lone surrogate: attribute strings cannot carry one (they are stored as UTF-8)
    public void Write_Throws_WhenNameCannotBeStored(string? name)
    {
        name ??= "lone" + (char)0xD800 + "surrogate";
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_dir.File("m.safetensors"), [TestFiles.Tensor(name, SafeTensorDType.F32, [1])]));
        Assert.Empty(FilesInDir());
    }

    [Fact]
    public void FromBytes_Throws_WhenLengthDisagreesWithShape()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorToWrite.FromBytes("w", SafeTensorDType.F32, [2, 2], new byte[12]));
        Assert.Contains("needs 16 bytes but 12", error.Message);
    }

    [Fact]
    public void TensorToWrite_Throws_WhenDimensionNegative()
    {
        Assert.Throws<ArgumentException>(() => new TensorToWrite("w", SafeTensorDType.F32, [2, -1], _ => { }));
    }

    [Fact]
    public void Write_CreatesMissingFolder()
    {
        string path = Path.Combine(_dir.Path, "a", "b", "m.safetensors");
        SafeTensorsWriter.Write(path, [TestFiles.Tensor("w", SafeTensorDType.F32, [1])]);
        using var file = SafeTensorsFile.Open(path);
        Assert.True(file.Contains("w"));
    }
}
