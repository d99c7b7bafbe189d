using System.Runtime.InteropServices;
using LocalFineTune.Torch.Native;

namespace LocalFineTune.Torch;

/// <summary>A libtorch error (bad shape, wrong dtype, out of memory...), carrying libtorch's own message. When .NET
/// code called back from libtorch threw (a checkpointed function), that exception is the InnerException.</summary>
public sealed class TorchException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Turns the shim's sentinels into exceptions. Called after every native call that can fail.</summary>
internal static class Check
{
    public static TorchException Failure()
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.lft_last_error()) is { Length: > 0 } m
            ? m
            : "libtorch reported an error without a message";
        return new TorchException(message, CallbackErrors.Take(message));
    }

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
