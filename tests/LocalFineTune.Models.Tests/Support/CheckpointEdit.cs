using System.Text;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.Models.Tests.Support;

internal sealed record RawTensor(string Name, SafeTensorDType DType, long[] Shape, byte[] Bytes);

/// <summary>Rewrites a saved folder's model.safetensors to build broken or differently-keyed checkpoints.</summary>
internal static class CheckpointEdit
{
    public static void Rewrite(string dir, Func<List<RawTensor>, IEnumerable<RawTensor>> edit)
    {
        var path = Path.Combine(dir, "model.safetensors");
        List<RawTensor> tensors;
        using (var file = SafeTensorsFile.Open(path))
            tensors = file.Tensors.Values.Select(e => new RawTensor(e.Name, e.DType, e.Shape, file.GetBytes(e.Name).ToArray())).ToList();
        var edited = edit(tensors).Select(t => TensorToWrite.FromBytes(t.Name, t.DType, t.Shape, t.Bytes)).ToList();
        SafeTensorsWriter.Write(path, edited, SafeTensorsWriter.PyTorchMetadata);
    }

    /// <summary>A hand-made file: 8-byte little-endian header length, header JSON, data.</summary>
    public static void WriteRaw(string path, string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        stream.Write(data);
    }
}
