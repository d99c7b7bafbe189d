using System.Runtime.InteropServices;
using LocalFineTune.Torch.Native;

namespace LocalFineTune.Torch;

/// <summary>A libtorch error (bad shape, wrong dtype, out of memory...), carrying libtorch's own message.</summary>
public sealed class TorchException(string message) : Exception(message);

/// <summary>Turns the shim's sentinels into exceptions. Called after every native call that can fail.</summary>
internal static class Check
{
    public static TorchException Failure() =>
        new(Marshal.PtrToStringUTF8(NativeMethods.lft_last_error()) is { Length: > 0 } message
            ? message
            : "libtorch reported an error without a message");

    public static void Status(int status)
    {
        if (status < 0) throw Failure();
    }

    public static TensorHandle Handle(TensorHandle handle)
    {
        if (handle.IsInvalid) throw Failure();
        return handle;
    }

    public static bool Flag(int value) => value < 0 ? throw Failure() : value != 0;
}
