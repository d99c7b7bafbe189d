using LocalFineTune.SafeTensors;

namespace LocalFineTune.SafeTensors.Tests;

/// <summary>Big tensors must stream out and map in without ever being held in managed memory.</summary>
public sealed class LargeFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const int Chunk = 1 << 20;

    private static TensorToWrite Streamed(string name, int megabytes, byte fill) =>
        new(name, SafeTensorDType.F32, [megabytes, Chunk / 4], stream =>
        {
            var chunk = new byte[Chunk];
            Array.Fill(chunk, fill);
            for (int i = 0; i < megabytes; i++) stream.Write(chunk);
        });

    [Fact]
    public void WriteAndOpen_AllocateFarLessThanTheData_WhenTensorsAre96MB()
    {
        string path = _dir.File("big.safetensors");
        long before = GC.GetAllocatedBytesForCurrentThread();
        SafeTensorsWriter.Write(path, [Streamed("a", 32, 1), Streamed("b", 64, 2)]);
        long afterWrite = GC.GetAllocatedBytesForCurrentThread();

        long sum = 0, headerLength;
        using (var file = SafeTensorsFile.Open(path))
        {
            headerLength = file.HeaderLength;
            foreach (var name in new[] { "a", "b" })
                foreach (byte value in file.GetBytes(name)) sum += value;
        }
        long afterRead = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(96L << 20, new FileInfo(path).Length - 8 - headerLength);
        Assert.Equal((32L << 20) * 1 + (64L << 20) * 2, sum);
        Assert.True(afterWrite - before < 8 << 20, $"writing allocated {afterWrite - before} bytes");
        Assert.True(afterRead - afterWrite < 1 << 20, $"reading allocated {afterRead - afterWrite} bytes");
    }
}
